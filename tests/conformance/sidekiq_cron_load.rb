# frozen_string_literal: true

# Conformance driver: runs the cases of cron_load_cases.json -- how sidekiq-cron saves and
# loads jobs -- through the REAL sidekiq-cron (Debian's ruby-sidekiq-cron 1.8.0 on
# ruby-sidekiq 6.4.1 and Fugit 1.5.2) on a private Redis and prints one JSON document:
#
#   {"sidekiq_cron_version": "1.8.0", "fugit_version": "1.5.2", "cases": {"<name>": ...}}
#
# usage: ruby sidekiq_cron_load.rb CASES.json redis://127.0.0.1:PORT/0
#
# Each case starts on an empty Redis and runs its steps with Time.now frozen at the step's time:
#
# * ["load", T, SCHEDULE]: Sidekiq::Cron::Job.load_from_hash (a hash) or load_from_array (an
#   array); the errors hash it returns, each "'cron' -> ..." message cut after its second
#   " -> " (what follows is Fugit's wording, not sidekiq-cron's). A class given as
#   {"const": "Name"} is passed as the class object itself;
# * ["poll", T]: what Poller#enqueue does (every job re-read from Redis, then
#   test_and_enque_for_time!); the jobs pushed (class, queue, args, description, retry),
#   oldest first, and the queues emptied;
# * ["disable", T, NAME] / ["enable", T, NAME]: Job.find(NAME).disable! / enable!;
# * ["state", T]: every saved job as Job.find reads it: status, last_enqueue_time (epoch
#   seconds), klass, queue, args, description, and the number of enqueued fire times kept;
# * ["load!", T, SCHEDULE]: load_from_hash! / load_from_array! (removed jobs destroyed);
# * ["destroy", T, NAME]: Job.destroy(NAME), true or false; ["destroy_all", T]: destroy_all!;
# * ["last_time", T, NAME]: Job#last_time(Time.now.utc), the fire time a poll now considers.
#
# CronConfJob and CronLowJob (queue "low") are Sidekiq workers, and so are CronTestClass
# (retry: true) and CronTestClassWithQueue (queue :super, retry: false, backtrace: true),
# as sidekiq-cron's test/test_helper.rb defines them; CronMissingJob is defined nowhere. The process runs with TZ=UTC. A failure inside one case is reported as
# {"error": ...} for that case; the run goes on.

ENV["TZ"] = "UTC"

require "json"
require "logger"
require "time"
require "sidekiq"
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
require "sidekiq/cron/job"
require "sidekiq/cron/version"

class CronConfJob
  include Sidekiq::Worker

  def perform(*_args); end
end

class CronLowJob
  include Sidekiq::Worker
  sidekiq_options queue: "low"

  def perform(*_args); end
end

class CronTestClass
  include Sidekiq::Worker
  sidekiq_options retry: true

  def perform(*_args); end
end

class CronTestClassWithQueue
  include Sidekiq::Worker
  sidekiq_options queue: :super, retry: false, backtrace: true

  def perform(*_args); end
end

module Conformance
  class << self
    attr_accessor :now
  end
end

module FrozenTimeNow
  def now(*args, **kwargs)
    return super unless args.empty? && kwargs.empty? && Conformance.now

    Time.at(Conformance.now)
  end
end
Time.singleton_class.prepend(FrozenTimeNow)

def epoch(iso)
  Time.iso8601(iso).to_r
end

def redis(&block)
  Sidekiq.redis(&block)
end

def with_constants(spec)
  return spec unless spec.is_a?(Hash)

  spec.to_h do |key, value|
    value = Object.const_get(value["const"]) if value.is_a?(Hash) && value.key?("const")
    [key, value]
  end
end

def cut_cron_message(message)
  return message unless message.start_with?("'cron' -> ")

  parts = message.split(" -> ", 3)
  "#{parts[0]} -> #{parts[1]} -> "
end

def load_step(schedule, bang: false)
  errors =
    if schedule.is_a?(Hash)
      hash = schedule.to_h { |name, spec| [name, with_constants(spec)] }
      bang ? Sidekiq::Cron::Job.load_from_hash!(hash) : Sidekiq::Cron::Job.load_from_hash(hash)
    else
      array = schedule.map { |spec| with_constants(spec) }
      bang ? Sidekiq::Cron::Job.load_from_array!(array) : Sidekiq::Cron::Job.load_from_array(array)
    end
  {"errors" => errors.to_h { |name, list| [name.to_s, list.map { |m| cut_cron_message(m) }] }}
end

def take_pushed
  pushed = []
  redis { |c| c.smembers("queues") }.sort.each do |queue|
    redis { |c| c.lrange("queue:#{queue}", 0, -1) }.reverse_each do |json|
      job = Sidekiq.load_json(json)
      pushed << {
        "class" => job["class"],
        "queue" => job["queue"],
        "args" => job["args"],
        "description" => job["description"],
        "retry" => job["retry"],
        "backtrace" => job["backtrace"]
      }
    end
    redis { |c| c.del("queue:#{queue}") }
  end
  pushed
end

def last_enqueue_epoch(name)
  raw = redis { |c| c.hget("cron_job:#{name}", "last_enqueue_time") }
  return nil if raw.nil? || raw.empty?

  DateTime.strptime(raw, Sidekiq::Cron::Job::LAST_ENQUEUE_TIME_FORMAT).to_time.to_i
end

def state_step
  jobs = Sidekiq::Cron::Job.all.map(&:name).sort.map do |name|
    job = Sidekiq::Cron::Job.find(name)
    message = job.message.is_a?(String) ? Sidekiq.load_json(job.message) : job.message
    {
      "name" => name,
      "status" => job.status,
      "last_enqueue_time" => last_enqueue_epoch(name),
      "klass" => job.klass.to_s,
      "queue" => message["queue"],
      "args" => job.args,
      "description" => job.description,
      "enqueued" => redis { |c| c.zcard("cron_job:#{name}:enqueued") }
    }
  end
  {"jobs" => jobs}
end

def run_case(kase)
  redis { |c| c.flushdb }
  kase["steps"].map do |action, at, argument|
    Conformance.now = epoch(at)
    case action
    when "load"
      load_step(argument)
    when "load!"
      load_step(argument, bang: true)
    when "destroy"
      {"destroyed" => Sidekiq::Cron::Job.destroy(argument)}
    when "destroy_all"
      Sidekiq::Cron::Job.destroy_all!
      state_step
    when "last_time"
      {"last_time" => Sidekiq::Cron::Job.find(argument).last_time(Time.now.utc).utc.iso8601}
    when "poll"
      time = Time.now.utc
      Sidekiq::Cron::Job.all.each { |j| j.test_and_enque_for_time!(time) if j&.valid? }
      {"pushed" => take_pushed}
    when "disable"
      Sidekiq::Cron::Job.find(argument).disable!
      {"status" => Sidekiq::Cron::Job.find(argument).status}
    when "enable"
      Sidekiq::Cron::Job.find(argument).enable!
      {"status" => Sidekiq::Cron::Job.find(argument).status}
    when "state"
      state_step
    else
      raise "unknown step #{action.inspect}"
    end
  end
ensure
  Conformance.now = nil
end

if ARGV.length != 2
  warn "usage: ruby #{$PROGRAM_NAME} CASES.json REDIS_URL"
  exit 2
end

cases = JSON.parse(File.read(ARGV[0]))
Sidekiq.logger = Logger.new(File::NULL)
Sidekiq.redis = {url: ARGV[1], size: 3}
Sidekiq.redis { |c| c.ping }

results = {}
cases.each do |kase|
  results[kase["name"]] = begin
    {"steps" => run_case(kase)}
  rescue Exception => e # rubocop:disable Lint/RescueException -- report, never die
    {"error" => "#{e.class}: #{e.message}", "error_backtrace" => (e.backtrace || []).first(15)}
  end
end

$stdout.write(JSON.generate({
  "sidekiq_version" => Sidekiq::VERSION,
  "sidekiq_cron_version" => Gem.loaded_specs["sidekiq-cron"]&.version&.to_s || Sidekiq::Cron::VERSION,
  "fugit_version" => Fugit::VERSION,
  "cases" => results
}))
$stdout.write("\n")

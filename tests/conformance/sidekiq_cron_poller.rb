# frozen_string_literal: true

# Conformance driver: runs the cases of cron_poller_cases.json through the REAL sidekiq-cron
# (Debian's ruby-sidekiq-cron 1.8.0 on ruby-sidekiq 6.4.1, Fugit 1.5.2, ruby-activejob 6.1.7 with
# its Sidekiq adapter) on a private Redis and prints one JSON document on stdout:
#
#   {"sidekiq_version": "6.4.1", "sidekiq_cron_version": "1.8.0", "fugit_version": "1.5.2",
#    "activejob_version": "6.1.7.x", "cases": {"<name>": ...}}
#
# usage: ruby sidekiq_cron_poller.rb CASES.json redis://127.0.0.1:PORT/0
#
# Per case, on an empty Redis: Time.now is frozen at the case's "created" time and the job is
# saved with Sidekiq::Cron::Job.create (which, as in production, marks the fire time before
# creation as already handled). Then for every step, with Time.now frozen at the step's time:
#
# * ["poll", T]: what Sidekiq::Cron::Poller#enqueue does -- Sidekiq::Cron::Job.all (the jobs
#   re-read from Redis) and, for each valid job, job.test_and_enque_for_time!(Time.now.utc);
#   then every queue is read (class, wrapped, queue, description and args of each pushed job)
#   and emptied, and the job's last_enqueue_time is read back from Redis (epoch seconds). The
#   argument of an ActiveJob wrapper job is summarised: its sorted keys, job_class, queue_name,
#   arguments, and job_id as "uuid4" when it has that shape (it is random);
# * ["disable", T] / ["enable", T]: Sidekiq::Cron::Job.find(name).disable! / enable!.
#
# The job classes the cases name (mirrored on the Python side): CronConfJob and CronLowJob are
# Sidekiq workers (CronLowJob on queue "low"); CronAjJob, CronAjQueueAsJob (queue_as
# :aj_queue) and CronAjOptionsJob (queue_as :aj_queue, sidekiq_options queue: "opt_q") are
# ActiveJob classes. CronMissingJob is defined nowhere. ActiveJob::Base includes
# Sidekiq::Worker::Options, as Sidekiq's railtie does in a Rails app (so get_sidekiq_options,
# which sidekiq-cron asks for a default queue, answers for ActiveJob classes too).
#
# The process runs with TZ=UTC (a cron without a zone is read in the server's zone).
# A failure inside one case is reported as {"error": ...} for that case; the run goes on.

ENV["TZ"] = "UTC"

require "json"
require "logger"
require "time"
require "sidekiq"
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
require "active_job"
require "active_job/queue_adapters/sidekiq_adapter"
require "sidekiq/cron/job"
require "sidekiq/cron/version"

ActiveJob::Base.logger = Logger.new(File::NULL)
ActiveJob::Base.queue_adapter = :sidekiq
# What Sidekiq's railtie ("sidekiq.active_job_integration") does on load of ActiveJob.
ActiveJob::Base.include(Sidekiq::Worker::Options) unless ActiveJob::Base.respond_to?(:sidekiq_options)

# --- the job classes -----------------------------------------------------------------------

class CronConfJob
  include Sidekiq::Worker

  def perform(*_args); end
end

class CronLowJob
  include Sidekiq::Worker
  sidekiq_options queue: "low"

  def perform(*_args); end
end

class CronAjJob < ActiveJob::Base
  def perform(*_args); end
end

class CronAjQueueAsJob < ActiveJob::Base
  queue_as :aj_queue

  def perform(*_args); end
end

class CronAjOptionsJob < ActiveJob::Base
  queue_as :aj_queue
  sidekiq_options queue: "opt_q"

  def perform(*_args); end
end

# --- frozen clock --------------------------------------------------------------------------

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

UUID4 = /\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/

# The argument of an ActiveJob wrapper job, without what differs from run to run.
def job_data_summary(data)
  return data unless data.is_a?(Hash)

  job_id = data["job_id"]
  {
    "keys" => data.keys.sort,
    "job_class" => data["job_class"],
    "job_id" => (job_id.is_a?(String) && UUID4.match?(job_id)) ? "uuid4" : job_id,
    "queue_name" => data["queue_name"],
    "arguments" => data["arguments"]
  }
end

# Every job pushed since the last call, oldest first, and the queues emptied.
def take_pushed
  pushed = []
  queues = redis { |c| c.smembers("queues") }.sort
  queues.each do |queue|
    redis { |c| c.lrange("queue:#{queue}", 0, -1) }.reverse_each do |json|
      job = Sidekiq.load_json(json)
      args = job["args"]
      args = args.map { |data| job_data_summary(data) } if job.key?("wrapped") && args.is_a?(Array)
      pushed << {
        "class" => job["class"],
        "wrapped" => job["wrapped"],
        "queue" => job["queue"],
        "list" => queue,
        "description" => job["description"],
        "args" => args
      }
    end
    redis { |c| c.del("queue:#{queue}") }
  end
  pushed
end

def last_enqueue_epoch(name)
  raw = redis { |c| c.hget("cron_job:#{name}", "last_enqueue_time") }
  return nil if raw.nil? || raw.empty?

  begin
    DateTime.strptime(raw, Sidekiq::Cron::Job::LAST_ENQUEUE_TIME_FORMAT).to_time.to_i
  rescue ArgumentError
    DateTime.parse(raw).to_time.to_i
  end
end

def run_case(kase)
  redis { |c| c.flushdb }
  name = kase["name"]
  Conformance.now = epoch(kase["created"])
  spec = {"name" => name}.merge(kase["job"])
  created = Sidekiq::Cron::Job.create(spec)
  job = Sidekiq::Cron::Job.find(name)
  raise "Sidekiq::Cron::Job.create(#{spec.inspect}) saved nothing (#{created.inspect})" if job.nil?

  take_pushed # nothing is expected, but start from empty queues
  steps = kase["steps"].map do |action, at|
    Conformance.now = epoch(at)
    case action
    when "poll"
      time = Time.now.utc
      Sidekiq::Cron::Job.all.each do |j|
        j.test_and_enque_for_time!(time) if j && j.valid?
      end
      {"pushed" => take_pushed, "last_enqueue_time" => last_enqueue_epoch(name)}
    when "disable"
      Sidekiq::Cron::Job.find(name).disable!
      {"status" => Sidekiq::Cron::Job.find(name).status}
    when "enable"
      Sidekiq::Cron::Job.find(name).enable!
      {"status" => Sidekiq::Cron::Job.find(name).status}
    else
      raise "unknown step #{action.inspect}"
    end
  end
  {"steps" => steps}
ensure
  Conformance.now = nil
end

# --- main ----------------------------------------------------------------------------------

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
  name = kase["name"]
  results[name] = begin
    run_case(kase)
  rescue Exception => e # rubocop:disable Lint/RescueException -- report, never die
    {"error" => "#{e.class}: #{e.message}", "error_backtrace" => (e.backtrace || []).first(15)}
  end
end

cron_version = Gem.loaded_specs["sidekiq-cron"]&.version&.to_s || Sidekiq::Cron::VERSION
$stdout.write(JSON.generate({
  "sidekiq_version" => Sidekiq::VERSION,
  "sidekiq_cron_version" => cron_version,
  "fugit_version" => Fugit::VERSION,
  "activejob_version" => ActiveJob::VERSION::STRING,
  "cases" => results
}))
$stdout.write("\n")

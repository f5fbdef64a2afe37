# frozen_string_literal: true

# Conformance driver for the ActiveJob layer: runs each case of activejob_cases.json through the
# REAL ActiveJob (Debian's ruby-activejob 6.1.7) with its Sidekiq adapter, pushing to a private
# Redis through Sidekiq 6.4.1's client, and prints one JSON document:
#
#   {"activejob_version": "6.1.7.x", "cases": {"<name>": <observation>, ...}}
#
# usage: ruby activejob_retry.rb CASES.json redis://127.0.0.1:PORT/0
#
# Time.now is frozen (start 1767225600.0) and moved only here; Kernel.rand returns the case's
# pinned value. Each step takes the one waiting job: from queue:<name> (RPOP) if any, else the
# lowest `schedule` entry, moving the clock to its score; the wrapper's own #perform runs it (the
# Sidekiq adapter's JobWrapper, so ActiveJob::Base.execute and its handlers are the real ones).
# A step records when it ran and the job data it ran; the first error that escapes ends the case.

require "json"
require "logger"
require "sidekiq"
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
require "active_job"
require "active_job/queue_adapters/sidekiq_adapter"

START = 1_767_225_600.0
STEPS = 40

$now = START
class << Time
  alias_method :conformance_real_now, :now
  def now
    Time.at($now)
  end
end

$rand = 0.5
Kernel.define_singleton_method(:rand) { |*_args| $rand }

cases_path, redis_url = ARGV
Sidekiq.configure_client { |config| config.redis = { url: redis_url } }
Sidekiq.logger = Logger.new(nil)
ActiveJob::Base.logger = Logger.new(nil)
ActiveJob::Base.queue_adapter = :sidekiq

class CaseError < StandardError; end
class OtherError < StandardError; end

PROCS = {
  "linear" => ->(executions) { executions * 2 },
  "zero" => ->(_executions) { 0 },
}.freeze

def wait_for(spec)
  return nil if spec.nil?
  return spec["int"] if spec.key?("int")
  return spec["duration"].seconds if spec.key?("duration")
  return spec["symbol"].to_sym if spec.key?("symbol")
  return spec["float"] if spec.key?("float")
  PROCS.fetch(spec["proc"])
end

def build_class(kase, index)
  klass = Class.new(ActiveJob::Base) do
    def perform(_arg)
      spec = self.class.instance_variable_get(:@case)
      $performed += 1
      return "ok" if $performed > spec["fail"]
      if spec["wrap_cause"]
        begin
          raise CaseError, "inner"
        rescue CaseError
          raise OtherError, "outer"
        end
      end
      raise CaseError, "boom #{$performed}"
    end
  end
  klass.instance_variable_set(:@case, kase)
  Object.const_set("AjCase#{index}", klass)
  klass.retry_jitter = kase["retry_jitter"]
  options = {}
  options[:wait] = wait_for(kase["wait"]) if kase["wait"]
  options[:attempts] = (kase["attempts"] == "unlimited" ? :unlimited : kase["attempts"]) if kase["attempts"]
  options[:jitter] = kase["jitter"] unless kase["jitter"] == "omit"
  options[:queue] = kase["queue"] if kase["queue"]
  options[:priority] = kase["priority"] if kase["priority"]
  klass.discard_on(CaseError) if kase["precedence"] == "discard_first"
  if kase["block"]
    klass.retry_on(CaseError, **options) { |_job, error| $block_calls << error.message }
  elsif kase["precedence"] == "discard_first"
    klass.retry_on(StandardError, **options)
  else
    klass.retry_on(CaseError, **options)
  end
  klass.discard_on(CaseError) if kase["precedence"] == "discard_last"
  klass
end

def next_job(redis)
  redis.smembers("queues").sort.each do |queue|
    raw = redis.rpop("queue:#{queue}")
    return JSON.parse(raw) if raw
  end
  raw, score = redis.zrange("schedule", 0, 0, with_scores: true).first
  return nil unless raw
  redis.zrem("schedule", raw)
  $now = score if score > $now
  JSON.parse(raw)
end

def run_case(kase, index)
  Sidekiq.redis(&:flushdb)
  $now = START
  $rand = kase["rand"]
  $performed = 0
  $block_calls = []
  klass = build_class(kase, index)
  klass.perform_later(1)
  steps = []
  escaped = nil
  Sidekiq.redis do |redis|
    STEPS.times do
      schedule = redis.zrange("schedule", 0, -1, with_scores: true).map { |_raw, score| score - $now }
      job = next_job(redis)
      break unless job
      data = JSON.parse(JSON.generate(job["args"][0])) # perform mutates the counters in place
      step = {
        "at" => $now - START, "class" => job["class"], "wrapped" => job["wrapped"],
        "queue" => job["queue"], "executions" => data["executions"],
        "exception_executions" => data["exception_executions"], "priority" => data["priority"],
        "queue_name" => data["queue_name"], "pending_delays" => schedule,
      }
      steps << step
      begin
        wrapper = ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper.new
        wrapper.jid = job["jid"]
        wrapper.perform(*job["args"])
        step["outcome"] = "ok"
      rescue Exception => e # rubocop:disable Lint/RescueException
        step["outcome"] = "raised"
        escaped = { "class" => e.class.name, "message" => e.message }
        break
      end
    end
    # the delays ActiveJob asked for, read from what is left in the schedule (none, normally)
  end
  { "steps" => steps, "escaped" => escaped, "performed" => $performed, "block_calls" => $block_calls }
rescue => e
  { "error" => "#{e.class}: #{e.message}", "backtrace" => e.backtrace.first(5) }
end

cases = JSON.parse(File.read(cases_path))
result = { "activejob_version" => ActiveJob.version.to_s, "cases" => {} }
cases.each_with_index { |kase, index| result["cases"][kase["name"]] = run_case(kase, index) }
puts JSON.generate(result)

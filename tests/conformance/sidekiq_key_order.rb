# frozen_string_literal: true

# Conformance driver for the KEY ORDER of job hashes: the REAL Sidekiq (Debian's ruby-sidekiq
# 6.4.1) pushes jobs in every way an application or Sidekiq's own machinery does, on a private
# Redis, and this script prints the raw JSON members it finds there, as one JSON document:
#
#   {"sidekiq_version": "6.4.1",
#    "cases": {"<name>": {"queue:<name>" | "schedule" | "retry" | "dead": ["<raw json>", ...]}}}
#
# usage: ruby sidekiq_key_order.rb CASE.json redis://127.0.0.1:PORT/0
#
# CASE.json is {"db": N, "start": EPOCH, "foreign": [{"key": "schedule" | "retry", "score": S,
# "member": "<raw json>"}, ...]}: the "foreign" members are ZADDed as they are (the key order
# another producer might write) for the poller to move. Each case starts from a FLUSHDB of database N; its
# members are listed oldest first for a queue (the reverse of LRANGE, as LPUSH prepends) and
# lowest score first for a sorted set. The members are printed as the strings Redis holds, so
# the Python side can read the key order of each one (values such as jid differ and are not
# compared).
#
# Time.now is frozen at "start" and moved only by this script (the poller case moves it past
# the jobs' times before running Sidekiq's own Scheduled::Enq).

require "json"
require "logger"
require "sidekiq"
require "sidekiq/api"
require "sidekiq/job_retry"
require "sidekiq/scheduled"

# redis-rb 4.8 warns about its own future API from inside Sidekiq 6.4; that is not our output.
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)

CASE = JSON.parse(File.read(ARGV.fetch(0)))
URL = ARGV.fetch(1).sub(%r{/\d*\z}, "") + "/#{Integer(CASE.fetch("db"))}"
START = Float(CASE.fetch("start"))

module KeyOrderClock
  class << self
    attr_accessor :now
  end
end
KeyOrderClock.now = START

# Freezes Time.now (without arguments) at KeyOrderClock.now.
module KeyOrderFrozenNow
  def now(*args, **kwargs)
    return super unless args.empty? && kwargs.empty? && KeyOrderClock.now

    Time.at(KeyOrderClock.now)
  end
end
Time.singleton_class.prepend(KeyOrderFrozenNow)

Sidekiq.logger = Logger.new(IO::NULL)
Sidekiq.redis = {url: URL, size: 2}
Sidekiq.redis { |c| c.ping }

# --- job classes ----------------------------------------------------------------------------

class HardJob
  include Sidekiq::Worker
end

class OptionsJob
  include Sidekiq::Worker
  sidekiq_options queue: "low", retry: 5, backtrace: true, tags: ["x"]
end

class RetryQueueJob
  include Sidekiq::Worker
  sidekiq_options retry: 2, retry_queue: "rq"
end

class DoomedJob
  include Sidekiq::Worker
  sidekiq_options retry: 0
end

# --- helpers --------------------------------------------------------------------------------

def every_member
  Sidekiq.redis do |conn|
    found = {}
    conn.smembers("queues").sort.each do |name|
      members = conn.lrange("queue:#{name}", 0, -1).reverse
      found["queue:#{name}"] = members unless members.empty?
    end
    %w[schedule retry dead].each do |key|
      members = conn.zrange(key, 0, -1)
      found[key] = members unless members.empty?
    end
    found
  end
end

# Take the oldest job off +queue+ and fail it through Sidekiq's JobRetry#local, as
# Processor#process does (the raw string is what JobRetry parses).
def fail_next(worker_class, queue, error)
  jobstr = Sidekiq.redis { |conn| conn.rpop("queue:#{queue}") }
  raise "conformance: queue #{queue} is empty" if jobstr.nil?

  begin
    Sidekiq::JobRetry.new.local(worker_class.new, jobstr, queue) { raise error }
  rescue Sidekiq::JobRetry::Skip
    # handled: the job went to the retry set or the dead set
  end
end

# Run Sidekiq's poller once with the clock at +at+ (both the retry and the schedule set).
def poll_at(at)
  KeyOrderClock.now = at
  Sidekiq::Scheduled::Enq.new.enqueue_jobs
end

# --- the cases, in the order the Python side lists them --------------------------------------

CASES = {
  "perform_async" => -> { HardJob.perform_async(1, "a") },
  "perform_in" => -> { HardJob.perform_in(60, 1) },
  "perform_in_now" => -> { HardJob.perform_in(0, 1) },
  "perform_at" => -> { HardJob.perform_at(START + 3600, 1) },
  "set_perform_async" => -> { HardJob.set(queue: "q", retry: 3).perform_async(1) },
  "set_perform_in" => -> { HardJob.set(queue: "q").perform_in(60, 1) },
  "set_perform_in_now" => -> { HardJob.set(queue: "q").perform_in(0, 1) },
  "perform_bulk" => -> { HardJob.perform_bulk([[1], [2]]) },
  "set_perform_bulk" => -> { HardJob.set(queue: "q", retry: 3).perform_bulk([[1], [2]]) },
  "client_push" => -> {
    Sidekiq::Client.push("class" => "HardJob", "args" => [1], "queue" => "q", "retry" => 3,
      "tags" => ["t"], "custom" => {"k" => 1})
  },
  "client_push_reordered" => -> {
    Sidekiq::Client.push("custom" => {"k" => 1}, "retry" => 3, "args" => [1], "queue" => "q",
      "class" => "HardJob")
  },
  "client_push_class" => -> {
    Sidekiq::Client.push("args" => [1], "class" => OptionsJob, "custom" => 1, "queue" => "q")
  },
  "client_push_at" => -> {
    Sidekiq::Client.push("class" => "HardJob", "at" => START + 60, "args" => [1], "queue" => "q")
  },
  "options_perform_async" => -> { OptionsJob.perform_async(1) },
  "options_perform_in" => -> { OptionsJob.perform_in(60, 1) },
  "options_set_perform_async" => -> { OptionsJob.set(dead: false, retry: 2).perform_async(1) },
  "poller" => -> {
    HardJob.perform_in(60, 1)
    OptionsJob.set(queue: "low").perform_in(61, 2)
    Sidekiq::Client.push("class" => "HardJob", "args" => [3], "custom" => 1, "at" => START + 62)
    poll_at(START + 100)
  },
  "poller_foreign" => -> {
    Sidekiq.redis do |conn|
      CASE.fetch("foreign").each do |entry|
        conn.zadd(entry.fetch("key"), Float(entry.fetch("score")), entry.fetch("member"))
      end
    end
    poll_at(START + 100)
  },
  "retry" => -> {
    OptionsJob.perform_async(1)
    fail_next(OptionsJob, "low", ArgumentError.new("first"))
  },
  "retry_again" => -> {
    OptionsJob.perform_async(1)
    fail_next(OptionsJob, "low", ArgumentError.new("first"))
    poll_at(START + 10_000)
    fail_next(OptionsJob, "low", ArgumentError.new("second"))
  },
  "retry_requeued" => -> {
    HardJob.perform_async(1)
    fail_next(HardJob, "default", ArgumentError.new("first"))
    poll_at(START + 10_000)
  },
  "retry_queue" => -> {
    RetryQueueJob.perform_async(1)
    fail_next(RetryQueueJob, "default", ArgumentError.new("first"))
  },
  "dead" => -> {
    DoomedJob.perform_async(1)
    fail_next(DoomedJob, "default", ArgumentError.new("gone"))
  }
}.freeze

results = {}
CASES.each do |name, push|
  KeyOrderClock.now = START
  Sidekiq.redis { |conn| conn.flushdb }
  push.call
  results[name] = every_member
end
Sidekiq.redis { |conn| conn.flushdb }

print JSON.generate("sidekiq_version" => Sidekiq::VERSION, "cases" => results)

# frozen_string_literal: true

# Conformance driver for jobsim.redis: the REAL Sidekiq (Debian's ruby-sidekiq 6.4.1) reads and
# writes Sidekiq's key layout on a private Redis, and prints one JSON document on stdout:
#
#   {"sidekiq_version": "6.4.1", "produced": {...} | null, "seen": {...}}
#
# usage: ruby sidekiq_redis.rb CASE.json redis://127.0.0.1:PORT/0
#
# CASE.json is {"db": N, "produce": true|false}. The script talks to database N of the server
# given (the Python side FLUSHes it before each case).
#
# * "produce": true first writes jobs the way a Ruby application and Sidekiq's own machinery
#   do: Sidekiq::Client.push (with and without a class), Worker.perform_in / perform_at, a job
#   failing through Sidekiq::JobRetry#local into the retry set (twice, so one has retried_at),
#   a job exhausting its retries into the dead set, and a retry entry killed with
#   SortedEntry#kill (DeadSet#kill). The counters are incremented as Sidekiq's Launcher
#   heartbeat does (INCRBY stat:processed and the daily key with STATS_TTL). "produced" names
#   the jids by role.
# * "seen" is what Sidekiq's read API reports for the database: Sidekiq::Stats, every
#   Sidekiq::Queue (in Queue.all order, jobs in Queue#each order), and ScheduledSet, RetrySet
#   and DeadSet (jobs in JobSet#each order, highest score first): size, class, args, jid, queue,
#   at / score, retry_count, error fields, the parsed item and the raw member.

require "json"
require "logger"
require "sidekiq"
require "sidekiq/api"
require "sidekiq/job_retry"
require "sidekiq/launcher"

# redis-rb 4.8 warns about its own future API from inside Sidekiq 6.4; that is not our output.
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)

CASE = JSON.parse(File.read(ARGV.fetch(0)))
URL = ARGV.fetch(1).sub(%r{/\d*\z}, "") + "/#{Integer(CASE.fetch("db"))}"

Sidekiq.logger = Logger.new(IO::NULL)
Sidekiq.redis = {url: URL, size: 2}
Sidekiq.redis { |c| c.ping }

# --- job classes a Ruby application would define --------------------------------------------

class HardJob
  include Sidekiq::Worker
end

class LaterJob
  include Sidekiq::Worker
  sidekiq_options queue: "low", retry: 5
end

class FlakyJob
  include Sidekiq::Worker
  sidekiq_options retry: 3, backtrace: 4
end

class DoomedJob
  include Sidekiq::Worker
  sidekiq_options retry: 0
end

# Run one execution of +item+ through Sidekiq's JobRetry#local, as Processor#process does,
# failing with +error+. Returns the payload as it was handed to the retry machinery.
def fail_through_job_retry(worker_class, item, error)
  jobstr = Sidekiq.dump_json(item)
  begin
    Sidekiq::JobRetry.new.local(worker_class.new, jobstr, item["queue"]) { raise error }
  rescue Sidekiq::JobRetry::Skip
    # handled: the job went to the retry set or the dead set
  end
  jobstr
end

def produce
  produced = {}
  produced["push_hash"] = Sidekiq::Client.push(
    "class" => "HardJob", "args" => [1, "two", {"k" => [nil, true, 2.5]}, "ü ✓"]
  )
  produced["push_options"] = Sidekiq::Client.push(
    "class" => "Billing::Invoice", "args" => [], "queue" => "critical", "retry" => 3,
    "tags" => ["py"], "custom" => {"tenant" => 42}
  )
  produced["push_class"] = Sidekiq::Client.push("class" => HardJob, "args" => [3])
  produced["perform_async"] = LaterJob.perform_async("x")
  produced["perform_in"] = LaterJob.perform_in(3600, 5)
  produced["perform_at"] = HardJob.set(queue: "critical").perform_at(Time.now.to_f + 86_400.5, 6)

  # A job taken off its queue and failed by JobRetry: the first failure (failed_at,
  # retry_count 0) and, for a second job, a later one (retried_at, retry_count 1).
  now = Time.now.to_f
  first = {"class" => "FlakyJob", "args" => [7], "queue" => "default", "retry" => 3,
           "backtrace" => 4, "jid" => "f1a2b3c4d5e6f7a8b9c0d1e2", "created_at" => now,
           "enqueued_at" => now}
  fail_through_job_retry(FlakyJob, first, ArgumentError.new("card declined ü"))
  produced["retry_first"] = first["jid"]
  again = first.merge("jid" => "0123456789abcdef01234567", "args" => [8],
                      "retry_count" => 0, "failed_at" => now - 60,
                      "error_message" => "earlier", "error_class" => "RuntimeError")
  fail_through_job_retry(FlakyJob, again, RuntimeError.new("still failing"))
  produced["retry_again"] = again["jid"]

  # Retries exhausted (retry: 0): JobRetry sends it to the morgue (DeadSet#kill).
  doomed = {"class" => "DoomedJob", "args" => [9], "queue" => "default", "retry" => 0,
            "jid" => "deadbeefdeadbeefdeadbeef", "created_at" => now, "enqueued_at" => now}
  fail_through_job_retry(DoomedJob, doomed, IOError.new("disk gone"))
  produced["exhausted"] = doomed["jid"]

  # A retry entry killed from the API (Web UI "Kill"): SortedEntry#kill -> DeadSet#kill.
  victim = {"class" => "FlakyJob", "args" => [10], "queue" => "default", "retry" => 3,
            "jid" => "abcabcabcabcabcabcabcabc", "created_at" => now, "enqueued_at" => now}
  fail_through_job_retry(FlakyJob, victim, ArgumentError.new("bad card"))
  Sidekiq::RetrySet.new.find_job(victim["jid"]).kill
  produced["killed"] = victim["jid"]

  # The counters, as Launcher#❤ flushes them.
  day = Time.now.utc.strftime("%Y-%m-%d")
  Sidekiq.redis do |conn|
    conn.pipelined do |pipeline|
      pipeline.incrby("stat:processed", 12)
      pipeline.incrby("stat:processed:#{day}", 12)
      pipeline.expire("stat:processed:#{day}", Sidekiq::Launcher::STATS_TTL)
      pipeline.incrby("stat:failed", 4)
      pipeline.incrby("stat:failed:#{day}", 4)
      pipeline.expire("stat:failed:#{day}", Sidekiq::Launcher::STATS_TTL)
    end
  end
  produced
end

def record(job)
  {
    "jid" => job.jid,
    "klass" => job.klass,
    "display_class" => job.display_class,
    "args" => job.args,
    "queue" => job.queue,
    "enqueued_at" => job.enqueued_at&.to_f,
    "created_at" => job.created_at.to_f,
    "retry_count" => job.item["retry_count"],
    "error_class" => job.item["error_class"],
    "error_message" => job.item["error_message"],
    "error_backtrace" => job.error_backtrace,
    "item" => job.item,
    "value" => job.value
  }
end

def sorted_set(set)
  {
    "name" => set.name,
    "size" => set.size,
    "jobs" => set.map { |entry| record(entry).merge("score" => entry.score, "at" => entry.at.to_f) }
  }
end

def seen
  stats = Sidekiq::Stats.new
  {
    "stats" => {
      "processed" => stats.processed,
      "failed" => stats.failed,
      "enqueued" => stats.enqueued,
      "scheduled_size" => stats.scheduled_size,
      "retry_size" => stats.retry_size,
      "dead_size" => stats.dead_size,
      "queues" => stats.queues
    },
    "queues" => Sidekiq::Queue.all.map { |queue|
      {"name" => queue.name, "size" => queue.size, "jobs" => queue.map { |job| record(job) }}
    },
    "schedule" => sorted_set(Sidekiq::ScheduledSet.new),
    "retry" => sorted_set(Sidekiq::RetrySet.new),
    "dead" => sorted_set(Sidekiq::DeadSet.new)
  }
end

produced = CASE["produce"] ? produce : nil
print JSON.generate(
  "sidekiq_version" => Sidekiq::VERSION,
  "produced" => produced,
  "seen" => seen
)

# frozen_string_literal: true

# Conformance driver for jobsim's data API: the REAL Sidekiq (Debian's ruby-sidekiq 6.4.1) runs
# each scenario of test_sidekiq_api_real.py on a private Redis and prints one JSON document:
#
#   {"sidekiq_version": "6.4.1", "results": {"scenario name": {...observations...}, ...}}
#
# usage: ruby sidekiq_api.rb CASE.json redis://127.0.0.1:PORT/0
#
# CASE.json is {"db": N, "scores": [...], "backtraces": {...}}. Every scenario starts from an
# empty database N. Scores are fixed epoch seconds, so nothing depends on the wall clock; what
# does (enqueued_at after a retry) is left out of the observations.

require "json"
require "logger"
require "date"
require "sidekiq"
require "sidekiq/api"

Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)

CASE = JSON.parse(File.read(ARGV.fetch(0)))
URL = ARGV.fetch(1).sub(%r{/\d*\z}, "") + "/#{Integer(CASE.fetch("db"))}"
T = Float(CASE.fetch("score"))

Sidekiq.logger = Logger.new(IO::NULL)
Sidekiq.redis = {url: URL, size: 2}

class ApiWorker
  include Sidekiq::Worker
end

def flush
  Sidekiq.redis { |c| c.flushdb }
  Sidekiq.death_handlers.clear
  Sidekiq.client_middleware.clear
end

def add(set, jid, score, extra = {})
  job = {"class" => "ApiWorker", "args" => [1, "mike"], "queue" => "default", "jid" => jid,
         "retry_count" => 2}.merge(extra)
  Sidekiq.redis { |c| c.zadd(set, score.to_s, Sidekiq.dump_json(job)) }
end

def jids(entries)
  entries.map(&:jid)
end

results = {}

flush
add("retry", "bob1", T)
add("retry", "bob2", T)
add("retry", "bob3", T + 1)
r = Sidekiq::RetrySet.new
results["fetch"] = {
  "score" => jids(r.fetch(T)).sort,
  "score_jid" => jids(r.fetch(T, "bob1")),
  "range" => jids(r.fetch(T..(T + 1))).sort,
  "range_jid" => jids(r.fetch(T..(T + 1), "bob3")),
  "none" => jids(r.fetch(T + 0.5))
}

flush
add("retry", "bob", T)
add("retry", "test", T + 1)
add("retry", "other", T + 2, "class" => "OtherWorker")
r = Sidekiq::RetrySet.new
results["scan"] = {
  "ApiWorker" => jids(r.scan("ApiWorker")).sort,
  "*test*" => jids(r.scan("*test*")).sort,
  "Worker" => jids(r.scan("Worker")).sort,
  "*Other*" => jids(r.scan("*Other*")).sort
}

flush
add("retry", "bob1", T)
add("retry", "bob2", T)
r = Sidekiq::RetrySet.new
first = r.delete(T, "bob1") ? true : false
again = r.delete(T, "bob1") ? true : false
results["delete_by_score"] = {"first" => first, "again" => again, "left" => jids(r.to_a)}

flush
add("retry", "bob", T)
entry = Sidekiq::RetrySet.new.first
entry.retry
entry.retry # it left the set already: nothing happens
q = Sidekiq::Queue.new("default")
results["retry_entry"] = {
  "queue_size" => q.size, "retry_size" => Sidekiq::RetrySet.new.size,
  "retry_count" => q.first["retry_count"], "jid" => q.first.jid
}

flush
add("schedule", "s1", T)
add("schedule", "s2", T + 5)
entry = Sidekiq::ScheduledSet.new.find_job("s1")
entry.add_to_queue
killed = Sidekiq::ScheduledSet.new.find_job("s2")
killed.kill
results["entry_verbs"] = {
  "queue" => jids(Sidekiq::Queue.new("default").to_a),
  "schedule" => Sidekiq::ScheduledSet.new.size,
  "dead" => jids(Sidekiq::DeadSet.new.to_a),
  "queued_has_at" => Sidekiq::Queue.new("default").first.item.key?("at")
}

flush
CASE.fetch("backtraces").each { |jid, value| add("retry", jid, T, "error_backtrace" => value) }
add("retry", "no_backtrace", T)
add("retry", "with_error", T, "error_class" => "RuntimeError")
results["errors"] = Sidekiq::RetrySet.new.to_a.sort_by(&:jid).to_h { |e|
  [e.jid, {"backtrace" => e.error_backtrace, "error" => e.error?}]
}

flush
seen = []
Sidekiq.death_handlers << ->(job, ex) { seen << [job["jid"], ex.message] }
ds = Sidekiq::DeadSet.new
job = {"class" => "ApiWorker", "args" => [], "queue" => "default"}
ds.kill(Sidekiq.dump_json(job.merge("jid" => "k1")))
ds.kill(Sidekiq.dump_json(job.merge("jid" => "k2")), notify_failure: false)
ds.kill(Sidekiq.dump_json(job.merge("jid" => "k3")), ex: ArgumentError.new("custom"))
results["dead_kill"] = {"size" => ds.size, "handlers" => seen}

flush
at = [T + 100, T + 200]
bulk = Sidekiq::Client.push_bulk("class" => "ApiWorker", "args" => [[1], [2]], "at" => at)
given_jid = Sidekiq::Client.push_bulk("class" => "ApiWorker", "args" => [[3], [4]], "jid" => "abc")
results["push_bulk"] = {
  "scores" => bulk.map { |jid| Sidekiq::ScheduledSet.new.find_job(jid).score },
  "given_jid_kept" => given_jid.include?("abc"),
  "given_jid_count" => given_jid.size,
  "queued_args" => Sidekiq::Queue.new("default").map(&:args).sort,
  "no_jobs" => Sidekiq::Client.push_bulk("class" => "ApiWorker", "args" => [])
}

flush
class OnlyOdd
  def call(_worker, job, _queue, _pool)
    yield if job["args"].first.odd?
  end
end
Sidekiq.client_middleware.add(OnlyOdd)
dropped = Sidekiq::Client.push_bulk("class" => "ApiWorker", "args" => [[1], [2], [3]])
results["push_bulk_dropped"] = {"count" => dropped.size, "queued" => Sidekiq::Queue.new.size}
Sidekiq.client_middleware.clear

flush
Sidekiq.redis { |c| c.set("stat:processed", 5); c.set("stat:failed", 10) }
Sidekiq::Stats.new.reset("failed")
after_one = [Sidekiq::Stats.new.processed, Sidekiq::Stats.new.failed]
Sidekiq::Stats.new.reset
results["reset"] = {"one" => after_one, "all" => [Sidekiq::Stats.new.processed, Sidekiq::Stats.new.failed]}

flush
Sidekiq.redis do |c|
  {"2012-12-24" => 4, "2012-12-25" => 1, "2012-12-26" => 6, "2012-12-27" => 2}.each do |day, n|
    c.incrby("stat:processed:#{day}", n)
    c.incrby("stat:failed:#{day}", n)
  end
end
h = Sidekiq::Stats::History.new(3, Date.parse("2012-12-26"))
results["history"] = {
  "processed" => h.processed.to_a, "failed" => h.failed.to_a,
  "quiet" => Sidekiq::Stats::History.new(2, Date.parse("2012-12-30")).processed.to_a
}

flush
rails = CASE.fetch("rails_jobs")
records = rails.map { |text| Sidekiq::JobRecord.new(text, "default") }
encrypted = Sidekiq::JobRecord.new(
  Sidekiq.dump_json("class" => "X", "args" => ["a", "secret"], "queue" => "default", "encrypt" => true),
  "default"
)
results["display"] = (records + [encrypted]).map { |x| [x.display_class, x.display_args] }

flush
Sidekiq.redis { |c| c.rpush("queue:default", "{}"); c.sadd("queues", "default") }
results["latency_incomplete"] = {
  "queue" => Sidekiq::Queue.new.latency, "stats" => Sidekiq::Stats.new.default_queue_latency
}

flush
puts JSON.generate({"sidekiq_version" => Sidekiq::VERSION, "results" => results})

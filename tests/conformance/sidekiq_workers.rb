# frozen_string_literal: true

# Conformance driver: runs the worker cases of worker_cases.json against the REAL Sidekiq
# (Debian's ruby-sidekiq 6.4.1) on a private Redis and prints one JSON document on stdout:
#
#   {"sidekiq_version": "6.4.1",
#    "queue_cases": {"<name>": <observation>, ...},
#    "middleware_cases": {...},
#    "shutdown_cases": {...}}
#
# usage: ruby sidekiq_workers.rb CASES.json redis://127.0.0.1:PORT/0
#
# Three parts, each through Sidekiq's own code:
#
# * queue_cases: the queue list as `sidekiq -q NAME[,WEIGHT]` or a sidekiq.yml `:queues:` gives
#   it, read by Sidekiq::CLI#setup_options (parse_queue: expansion, strictness, "cannot be
#   defined twice"), then Sidekiq::BasicFetch.new(options).queues_cmd: the exact command for
#   strict lists, and for weighted lists how often each queue comes first, and each whole order,
#   over many fetches (Ruby's default RNG seeded with the case's seed, so a run is repeatable).
# * middleware_cases: client middleware through Sidekiq::Client#push (perform_async/perform_in),
#   server middleware through Sidekiq::Processor#process, scheduled and retry jobs back through
#   Sidekiq::Scheduled::Enq#enqueue_jobs. Time.now is frozen at 1767225600.0 and moved only here;
#   the fetch is an RPOP of the first non-empty queue (what BRPOP does when a job is waiting);
#   the retry jitter is pinned to 0 (JobRetry#rand), so retries are due at a known time.
# * shutdown_cases: Sidekiq::Launcher with -c/-t as given, TERM (Launcher#stop) some seconds
#   after the first job started, on the real clock. The launcher's heartbeat thread is made a
#   no-op (it only registers the process and flushes the stats counters every 5 s); the
#   counters are flushed once, after the stop, with Launcher.flush_stats.
#
# A failure inside one case is reported as {"error": ...} for that case; the run goes on.

require "json"
require "logger"
require "tmpdir"
require "timeout"
require "yaml"
require "sidekiq"
require "sidekiq/cli"
require "sidekiq/api"
require "sidekiq/fetch"
require "sidekiq/processor"
require "sidekiq/scheduled"
require "sidekiq/launcher"

START = 1_767_225_600.0

module Conformance
  class << self
    attr_accessor :now, :calls, :performs, :phase, :processed, :failed, :started, :events
  end
end
Conformance.now = nil
Conformance.calls = []
Conformance.performs = []
Conformance.phase = nil

module FrozenTimeNow
  def now(*args, **kwargs)
    return super unless args.empty? && kwargs.empty? && Conformance.now

    Time.at(Conformance.now)
  end
end
Time.singleton_class.prepend(FrozenTimeNow)

# Retry jitter pinned to its smallest draw (jobsim runs with jitter="min"), so a retry is due
# exactly count**4 + 15 seconds after its failure on both sides.
module PinnedJitter
  private

  def rand(max = 0)
    raise ArgumentError, "conformance: unexpected rand(#{max.inspect})" unless max.is_a?(Integer) && max > 0

    0
  end
end
Sidekiq::JobRetry.prepend(PinnedJitter)

# The heartbeat thread registers the process and moves the stats counters into Redis every
# 5 s; neither is under test, and a flush racing the final read would make counts flaky.
module NoHeartbeat
  private

  def start_heartbeat
  end
end
Sidekiq::Launcher.prepend(NoHeartbeat)

module Helpers
  module_function

  def redis(&block)
    Sidekiq.redis(&block)
  end

  def offset(value)
    value.nil? ? nil : value.to_f - START
  end

  def strip_cmd(cmd)
    raise "queues_cmd does not end with TIMEOUT: #{cmd.inspect}" unless cmd.last == Sidekiq::BasicFetch::TIMEOUT

    cmd[0...-1].map { |key| key.delete_prefix("queue:") }
  end

  def summary(job)
    {
      "class" => job["class"],
      "args" => job["args"],
      "queue" => job["queue"],
      "keys" => job.keys.sort,
      "tags" => job["tags"],
      "retry_count" => job["retry_count"],
      "error_class" => job["error_class"],
      "error_message" => job["error_message"],
      "created_at" => offset(job["created_at"]),
      "enqueued_at" => offset(job["enqueued_at"])
    }
  end
end

# --- part 1: queue lists -------------------------------------------------------------------

BASE_OPTIONS = Sidekiq.options.dup

def queue_case(kase, fetches)
  yaml_text = nil
  Sidekiq.options = BASE_OPTIONS.dup
  Dir.mktmpdir do |dir|
    Dir.chdir(dir) do
      args = []
      if kase["source"] == "cli"
        kase["queues"].each { |entry| args.push("-q", entry) }
      else
        yaml_text = {"queues" => kase["queues"]}.to_yaml
        File.write("sidekiq.yml", yaml_text)
        args.push("-C", File.join(dir, "sidekiq.yml"))
      end
      Sidekiq::CLI.instance.send(:setup_options, args)
    end
  end
  options = Sidekiq.options
  fetch = Sidekiq::BasicFetch.new(options)
  result = {
    "yaml_text" => yaml_text,
    "strict" => options[:strict],
    "expanded" => options[:queues].dup
  }
  names = options[:queues].uniq
  if options[:strict]
    result["queues_cmd"] = Helpers.strip_cmd(fetch.queues_cmd)
  else
    srand(kase["seed"])
    first = Hash.new(0)
    orders = Hash.new(0)
    complete = true
    fetches.times do
      order = Helpers.strip_cmd(fetch.queues_cmd)
      complete &&= order.sort == names.sort && order.uniq.length == order.length
      first[order.first] += 1
      orders[order.join(" ")] += 1
    end
    result["fetches"] = fetches
    result["every_order_has_each_queue_once"] = complete
    result["first_counts"] = first
    result["order_counts"] = orders
  end
  result
rescue ArgumentError => e
  {"yaml_text" => yaml_text, "error" => e.message}
ensure
  Sidekiq.options = BASE_OPTIONS.dup
end

# --- part 2: middleware --------------------------------------------------------------------

class ConfWork
  include Sidekiq::Worker

  def perform(*args)
    Conformance.calls << "work"
    Conformance.performs << args
  end
end

class ConfFails
  include Sidekiq::Worker

  def perform(*args)
    Conformance.calls << "work"
    Conformance.performs << args
    raise "boom"
  end
end

# Fails without recording its arguments, so a case can compare the retry entry alone.
class ConfFailsQuiet
  include Sidekiq::Worker

  def perform(*_args)
    raise "boom"
  end
end

module Ops
  module_function

  def label(name, args)
    args.empty? ? name : "#{name}:#{args.join(",")}"
  end

  def subject_text(side, subject, job)
    if side == "server"
      jid = (subject.jid == job["jid"]) ? "jid" : "other-jid"
      "worker:#{subject.class.name}:#{jid}"
    elsif subject.is_a?(Class)
      "class:#{subject.name}"
    else
      "#{subject.class.name.downcase}:#{subject}"
    end
  end

  def see(side, label, subject, job, queue)
    {
      "who" => label,
      "subject" => subject_text(side, subject, job),
      "queue" => queue,
      "at" => job.key?("at") ? job["at"].to_f - START : nil,
      "args" => job["args"],
      "keys" => job.keys.sort,
      "retry_count" => job["retry_count"],
      "enqueued_at" => Helpers.offset(job["enqueued_at"])
    }
  end

  # Runs one middleware's script (a list of ops from worker_cases.json) around the chain's
  # block; returns what the middleware's call returns.
  def run(ops, side, label, number, subject, job, queue, block)
    calls = Conformance.calls
    result = nil
    ops.each do |op|
      case op
      when "before" then calls << "#{label} before"
      when "after" then calls << "#{label} after"
      when "instance" then calls << "#{label} instance #{number}"
      when "see" then calls << see(side, label, subject, job, queue)
      when "yield" then result = block.call
      when "yield_rescue"
        begin
          result = block.call
        rescue => e
          calls << "#{label} rescued #{e.class}: #{e.message}"
        end
      when "tag" then job["tags"] = ["mw"]
      when "set_args" then job["args"] = ["changed"]
      when "append_arg" then job["args"] << "extra"
      when "set_queue" then job["queue"] = "other"
      when "delete_at" then job.delete("at")
      when "set_at" then job["at"] = Time.now.to_f + 300
      when "set_at_unless_polling" then job["at"] = Time.now.to_f + 300 unless Conformance.phase == "poll"
      when "raise" then raise "#{label} blew up"
      when "drop_when_polling"
        if Conformance.phase == "poll"
          calls << "#{label} dropped"
          return nil
        end
      when "return_result" then return result
      when "return_nil" then return nil
      when "return_false" then return false
      when "return_job" then return job
      when "return_copy" then return job.merge("copied" => true)
      else raise "conformance: unknown middleware op #{op.inspect}"
      end
    end
    result
  end
end

DEFAULT_OPS = %w[before yield after].freeze

def build_middleware(side, name, ops)
  klass = Class.new do
    class << self
      attr_accessor :instances, :mw_name
    end

    define_method(:initialize) do |*args|
      self.class.instances += 1
      @number = self.class.instances
      @label = Ops.label(self.class.mw_name, args)
    end

    if side == "client"
      define_method(:call) do |subject, job, queue, _redis_pool, &block|
        Ops.run(ops, side, @label, @number, subject, job, queue, block)
      end
    else
      define_method(:call) do |worker, job, queue, &block|
        Ops.run(ops, side, @label, @number, worker, job, queue, block)
      end
    end
  end
  klass.instances = 0
  klass.mw_name = name
  klass
end

def configure_chain(chain, side, ops_list, scripts)
  chain.clear
  names = ops_list.flat_map { |op| (op[0] == "insert_before" || op[0] == "insert_after") ? [op[1], op[2]] : [op[1]] }
  classes = names.uniq.to_h { |name| [name, build_middleware(side, name, scripts.fetch(name, DEFAULT_OPS))] }
  ops_list.each do |op|
    case op[0]
    when "add" then chain.add(classes[op[1]], *op[2])
    when "prepend" then chain.prepend(classes[op[1]], *op[2])
    when "insert_before" then chain.insert_before(classes[op[1]], classes[op[2]], *op[3])
    when "insert_after" then chain.insert_after(classes[op[1]], classes[op[2]], *op[3])
    when "remove" then chain.remove(classes[op[1]])
    else raise "conformance: unknown chain op #{op.inspect}"
    end
  end
end

def queue_names
  Helpers.redis { |c| c.smembers("queues") }.sort
end

def pop_work
  queue_names.each do |name|
    jobstr = Helpers.redis { |c| c.rpop("queue:#{name}") }
    return Sidekiq::BasicFetch::UnitOfWork.new("queue:#{name}", jobstr) if jobstr
  end
  nil
end

def run_queued
  processor = Sidekiq::Processor.new(nil, {})
  ran = 0
  while (work = pop_work)
    raise "more than 50 jobs in one step" if (ran += 1) > 50

    begin
      processor.send(:process, work)
    rescue Exception # rubocop:disable Lint/RescueException -- Processor re-raises the job's error
      nil
    end
  end
end

def snapshot
  queues = {}
  queue_names.each do |name|
    jobs = Helpers.redis { |c| c.lrange("queue:#{name}", 0, -1) }.reverse
    queues[name] = jobs.map { |s| Helpers.summary(Sidekiq.load_json(s)) } unless jobs.empty?
  end
  schedule = Helpers.redis { |c| c.zrange("schedule", 0, -1, with_scores: true) }.map do |s, score|
    Helpers.summary(Sidekiq.load_json(s)).merge("score" => score - START)
  end
  retries = Helpers.redis { |c| c.zrange("retry", 0, -1) }.map { |s| Helpers.summary(Sidekiq.load_json(s)) }
  Conformance.processed += Sidekiq::Processor::PROCESSED.reset
  Conformance.failed += Sidekiq::Processor::FAILURE.reset
  {
    "queues" => queues,
    "schedule" => schedule,
    "retry" => retries,
    "dead" => Helpers.redis { |c| c.zcard("dead") },
    "processed" => Conformance.processed,
    "failed" => Conformance.failed
  }
end

def push_step(step)
  klass = Object.const_get(step["job"])
  target = step["queue"] ? klass.set(queue: step["queue"]) : klass
  args = step["args"] || []
  jid = step["wait"] ? target.perform_in(step["wait"], *args) : target.perform_async(*args)
  jid.nil? ? nil : "jid"
rescue => e
  "raised #{e.class}: #{e.message}"
end

def middleware_case(kase)
  Helpers.redis { |c| c.flushdb }
  Conformance.now = START
  Conformance.phase = nil
  Conformance.processed = 0
  Conformance.failed = 0
  Sidekiq::Processor::PROCESSED.reset
  Sidekiq::Processor::FAILURE.reset
  scripts = kase["middleware"] || {}
  configure_chain(Sidekiq.client_middleware, "client", kase["client_chain"] || [], scripts)
  configure_chain(Sidekiq.server_middleware, "server", kase["server_chain"] || [], scripts)

  kase["steps"].map do |step|
    Conformance.calls = []
    Conformance.performs = []
    returned = nil
    case step["do"]
    when "push"
      returned = push_step(step)
    when "run"
      run_queued
    when "advance"
      if step["to"] == "next_retry"
        lowest = Helpers.redis { |c| c.zrange("retry", 0, 0, with_scores: true) }.first
        raise "advance to next_retry with an empty retry set" unless lowest

        Conformance.now = lowest[1].to_f
      else
        Conformance.now = START + step["to"]
      end
      Conformance.phase = "poll"
      begin
        Sidekiq::Scheduled::Enq.new.enqueue_jobs
        run_queued
      ensure
        Conformance.phase = nil
      end
    else
      raise "conformance: unknown step #{step["do"].inspect}"
    end
    {"do" => step["do"], "returned" => returned, "calls" => Conformance.calls.dup,
     "performs" => Conformance.performs.dup}.merge(snapshot)
  end
ensure
  Sidekiq.client_middleware.clear
  Sidekiq.server_middleware.clear
  Conformance.now = nil
end

# --- part 3: shutdown ----------------------------------------------------------------------

class ConfLong
  include Sidekiq::Worker

  def perform(n, seconds)
    Conformance.started << n
    begin
      sleep seconds
      Conformance.events << "finished #{n}"
    ensure
      Conformance.events << "interrupted #{n}" if $!.is_a?(Sidekiq::Shutdown)
    end
  end
end

def shutdown_case(kase)
  Helpers.redis { |c| c.flushdb }
  Conformance.now = nil # the launcher runs on the real clock
  Conformance.started = Queue.new
  Conformance.events = []
  Sidekiq::Processor::PROCESSED.reset
  Sidekiq::Processor::FAILURE.reset
  kase["jobs"].times { |i| ConfLong.perform_async(i + 1, kase["job_seconds"]) }

  options = BASE_OPTIONS.dup.merge(
    concurrency: kase["concurrency"], timeout: kase["timeout"], queues: ["default"], strict: true
  )
  options.delete(:fetch)
  launcher = Sidekiq::Launcher.new(options)
  launcher.run
  started = [Timeout.timeout(20) { Conformance.started.pop }]
  sleep kase["term_after"]
  launcher.stop # what the TERM handler does
  Sidekiq::Launcher.flush_stats
  started << Conformance.started.pop until Conformance.started.empty?

  queue = Helpers.redis { |c| c.lrange("queue:default", 0, -1) }.reverse
  stats = Helpers.redis { |c| [c.get("stat:processed"), c.get("stat:failed"), c.zcard("retry"), c.zcard("dead")] }
  {
    "started" => started,
    "finished" => Conformance.events.grep(/\Afinished /).map { |e| e.split.last.to_i },
    "interrupted" => Conformance.events.grep(/\Ainterrupted /).map { |e| e.split.last.to_i },
    "queue" => queue.map { |s| Sidekiq.load_json(s)["args"][0] },
    "processed" => stats[0].to_i,
    "failed" => stats[1].to_i,
    "retry" => stats[2],
    "dead" => stats[3]
  }
end

# --- main ----------------------------------------------------------------------------------

if ARGV.length != 2
  warn "usage: ruby #{$PROGRAM_NAME} CASES.json REDIS_URL"
  exit 2
end

cases = JSON.parse(File.read(ARGV[0]))
Sidekiq.logger = Logger.new(File::NULL)
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
Sidekiq.redis = {url: ARGV[1], size: 15}
Sidekiq.redis { |c| c.ping }

def guarded
  yield
rescue Exception => e # rubocop:disable Lint/RescueException -- report, never die
  {"error_in_driver" => "#{e.class}: #{e.message}", "error_backtrace" => (e.backtrace || []).first(15)}
end

output = {"sidekiq_version" => Sidekiq::VERSION}
output["queue_cases"] = cases["queue_cases"].to_h do |kase|
  [kase["name"], guarded { queue_case(kase, cases["fetches"]) }]
end
output["middleware_cases"] = cases["middleware_cases"].to_h do |kase|
  [kase["name"], guarded { middleware_case(kase) }]
end
output["shutdown_cases"] = cases["shutdown_cases"].to_h do |kase|
  [kase["name"], guarded { shutdown_case(kase) }]
end

$stdout.write(JSON.generate(output))
$stdout.write("\n")

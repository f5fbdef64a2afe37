# frozen_string_literal: true

# Conformance driver: runs the retry cases of retry_cases.json against the REAL Sidekiq
# (Debian's ruby-sidekiq 6.4.1) on a private Redis and prints one JSON document on stdout:
#
#   {"sidekiq_version": "6.4.1", "cases": {"<name>": <observation>, ...}}
#
# usage: ruby sidekiq_retry.rb CASES.json redis://127.0.0.1:PORT/0
#
# Each job execution goes through Sidekiq's own Processor#process (JobRetry#global around
# constantize, the stats wrapper, JobRetry#local around perform, error handlers on Handled);
# retries are taken back out of the real `retry` sorted set by Sidekiq's own Scheduled::Enq
# after the frozen clock has been moved to exactly the entry's score. Nothing of Sidekiq is
# re-implemented here except the fetch (an RPOP of the one non-empty queue, which is what BRPOP
# does when a job is waiting) and the clock and jitter, which are pinned:
#
# * Time.now is frozen at a controlled value (start 1767225600.0 = 2026-01-01T00:00:00Z) and
#   moved only by this script;
# * JobRetry#rand(n) returns 0 (jitter "min") or n - 1 (jitter "max").
#
# A failure inside one case is reported as {"error": ...} for that case; the run goes on.

# Ruby 3.1+ decorates NameError/NoMethodError messages with source snippets (error_highlight)
# and suggestions (did_you_mean); that text is Ruby's, not Sidekiq's. Re-run without them so an
# error_message is just the message (e.g. "uninitialized constant NoSuchJob").
if (defined?(ErrorHighlight) || defined?(DidYouMean)) && !ENV["SIDEKIQ_CONFORMANCE_REEXEC"]
  flags = []
  flags << "--disable-error_highlight" if defined?(ErrorHighlight)
  flags << "--disable-did_you_mean" if defined?(DidYouMean)
  exec({"SIDEKIQ_CONFORMANCE_REEXEC" => "1"}, RbConfig.ruby, *flags, __FILE__, *ARGV)
end

require "json"
require "logger"
require "zlib"
require "base64"
require "sidekiq"
require "sidekiq/api"
require "sidekiq/processor"
require "sidekiq/fetch"
require "sidekiq/scheduled"
require "sidekiq/job_retry"

START = 1_767_225_600.0
STEP_LIMIT = 200

# --- pinned clock --------------------------------------------------------------------------

module Conformance
  class << self
    attr_accessor :now, :jitter, :calls, :performs, :bt_lengths
  end
end
Conformance.now = START
Conformance.jitter = "min"
Conformance.calls = []
Conformance.performs = Hash.new(0)
Conformance.bt_lengths = {}

module FrozenTimeNow
  def now(*args, **kwargs)
    return super unless args.empty? && kwargs.empty? && Conformance.now

    Time.at(Conformance.now)
  end
end
Time.singleton_class.prepend(FrozenTimeNow)

# --- pinned jitter -------------------------------------------------------------------------

module PinnedJitter
  private

  def rand(max = 0)
    raise ArgumentError, "conformance: unexpected rand(#{max.inspect})" unless max.is_a?(Integer) && max > 0

    (Conformance.jitter == "max") ? max - 1 : 0
  end
end
Sidekiq::JobRetry.prepend(PinnedJitter)

# --- helpers -------------------------------------------------------------------------------

module Helpers
  module_function

  def redis(&block)
    Sidekiq.redis(&block)
  end

  def dead_size
    redis { |c| c.zcard("dead") }
  end

  def retry_size
    redis { |c| c.zcard("retry") }
  end

  def set_entries(key)
    redis { |c| c.zrange(key, 0, -1, with_scores: true) }.map { |json, score| [Sidekiq.load_json(json), score.to_f] }
  end

  # Raise from a few frames down so that every backtrace has more than 2 lines.
  def fail_deep(message, depth = 3)
    return fail_deep(message, depth - 1) if depth > 0

    raise RuntimeError, message
  end

  def error_handler_label(ctx)
    context = ctx[:context].to_s
    if context == "Job raised exception"
      "error_handler"
    elsif context.start_with?("Failure scheduling retry")
      "error_handler:retry_in"
    elsif context == "Error calling retries_exhausted"
      "error_handler:exhausted"
    elsif context == "Error calling death handler"
      "error_handler:death_handler"
    else
      "error_handler:other:#{context}"
    end
  end

  def offset(value)
    value.nil? ? nil : value.to_f - START
  end

  # "all" when every line of the failure's backtrace was kept, else the number of lines kept.
  def backtrace_obs(job)
    encoded = job["error_backtrace"]
    return nil if encoded.nil?

    lines = JSON.parse(Zlib::Inflate.inflate(Base64.decode64(encoded)))
    return "not-a-list-of-strings" unless lines.is_a?(Array) && lines.all? { |l| l.is_a?(String) }

    full = Conformance.bt_lengths[job["jid"]]
    (full && lines.length == full) ? "all" : lines.length
  end

  # How error_backtrace is wrapped: "encode64" (a newline after every 60 characters, as
  # Base64.encode64 writes it), "strict" (no newlines) or "other".
  def backtrace_encoding(job)
    encoded = job["error_backtrace"]
    return nil if encoded.nil?
    return "strict" unless encoded.include?("\n")

    lines = encoded.split("\n")
    wrapped = encoded.end_with?("\n") && lines[0...-1].all? { |l| l.length == 60 } && lines.last.length <= 60
    wrapped ? "encode64" : "other"
  end

  def entry_obs(job, score)
    {
      "retry_count" => job["retry_count"],
      "queue" => job["queue"],
      "error_class" => job["error_class"],
      "error_message_len" => job["error_message"]&.length,
      "error_message_head" => job["error_message"]&.slice(0, 60),
      "has_failed_at" => job.key?("failed_at"),
      "has_retried_at" => job.key?("retried_at"),
      "has_error_backtrace" => job.key?("error_backtrace"),
      "failed_at" => offset(job["failed_at"]),
      "retried_at" => offset(job["retried_at"]),
      "backtrace" => backtrace_obs(job),
      "backtrace_encoding" => backtrace_encoding(job),
      "score" => offset(score)
    }
  end

  def camelize(name)
    name.split(/[^A-Za-z0-9]/).reject(&:empty?).map { |p| p[0].upcase + p[1..] }.join
  end
end

# --- job class per case --------------------------------------------------------------------

def build_job_class(kase)
  fail_times = kase["fail_times"]
  message_len = kase["message_len"]
  retry_in = kase["retry_in"]
  exhausted = kase["exhausted"]

  klass = Class.new do
    include Sidekiq::Worker

    define_method(:perform) do |*_args|
      Conformance.performs[jid] += 1
      n = Conformance.performs[jid]
      if fail_times == "always" || n <= fail_times.to_i
        message = message_len ? "x" * message_len : "boom #{n}"
        begin
          Helpers.fail_deep(message)
        rescue => e
          Conformance.bt_lengths[jid] = e.backtrace.length
          raise
        end
      end
      nil
    end
  end

  klass.sidekiq_options(kase["options"])

  if retry_in
    kind = retry_in["kind"]
    value = retry_in["value"]
    klass.sidekiq_retry_in do |count, _exception|
      Conformance.calls << "retry_in:#{count}"
      case kind
      when "const", "float" then value
      when "nil" then nil
      when "raise" then raise ArgumentError, "retry_in blew up"
      when "symbol" then value.to_sym
      when "count_times" then count * value
      else raise "conformance: unknown retry_in kind #{kind.inspect}"
      end
    end
  end

  if exhausted
    klass.sidekiq_retries_exhausted do |_msg, _exception|
      Conformance.calls << "exhausted"
      Conformance.calls << "retries_exhausted_dead_size:#{Helpers.dead_size}"
      raise ArgumentError, "retries_exhausted blew up" if exhausted == "raise"
    end
  end

  klass
end

# --- one case ------------------------------------------------------------------------------

def pop_work(queue_names)
  queue_names.each do |name|
    jobstr = Helpers.redis { |c| c.rpop("queue:#{name}") }
    return Sidekiq::BasicFetch::UnitOfWork.new("queue:#{name}", jobstr) if jobstr
  end
  nil
end

def observe_failure(jid, failed_now)
  retry_hit = Helpers.set_entries("retry").find { |job, _| job["jid"] == jid }
  dead_hit = Helpers.set_entries("dead").find { |job, score| job["jid"] == jid && score == failed_now }
  if retry_hit
    job, score = retry_hit
    ["retry", job, score - failed_now]
  elsif dead_hit
    ["dead", dead_hit[0], nil]
  else
    ["gone", nil, nil]
  end
end

def run_case(kase)
  Helpers.redis { |c| c.flushdb }
  Conformance.now = START
  Conformance.jitter = kase.fetch("jitter", "min")
  Conformance.calls = []
  Conformance.performs = Hash.new(0)
  Conformance.bt_lengths = {}
  Sidekiq::Processor::PROCESSED.reset
  Sidekiq::Processor::FAILURE.reset
  Sidekiq.options[:dead_max_jobs] = kase["dead_max_jobs"] || 10_000

  Sidekiq.death_handlers.clear
  (kase["death_handlers"] || []).each_with_index do |mode, index|
    Sidekiq.death_handlers << lambda do |job, _exception|
      Conformance.calls << "death_handler:#{index}"
      Conformance.calls << "death_handler_dead_size:#{Helpers.dead_size}"
      Conformance.calls << "death_handler_retry_count:#{job.fetch("retry_count", "none")}"
      raise ArgumentError, "death handler #{index} blew up" if mode == "raise"
    end
  end
  Sidekiq.error_handlers.clear
  Sidekiq.error_handlers << ->(_exception, ctx) { Conformance.calls << Helpers.error_handler_label(ctx) }

  const_name = "Conf#{Helpers.camelize(kase["name"])}"
  Object.send(:remove_const, const_name) if Object.const_defined?(const_name, false)
  if kase["unknown_class"]
    job_class_name = "NoSuch#{const_name}"
  else
    Object.const_set(const_name, build_job_class(kase))
    job_class_name = const_name
  end

  options = kase["options"] || {}
  queue_names = [options["queue"], options["retry_queue"], "default"].compact.uniq
  processor = Sidekiq::Processor.new(nil, {})
  steps = []
  attempt = 0

  (kase["copies"] || 1).times do |copy|
    # copies start one second apart, so they die at distinct instants and the trim order is
    # defined (Redis would break equal scores by the random jid)
    Conformance.now += 1 if copy > 0
    jid = if kase["unknown_class"]
      Sidekiq::Client.push(options.merge("class" => job_class_name, "args" => [1]))
    else
      Object.const_get(job_class_name).perform_async(1)
    end
    manual_done = false

    loop do
      raise "step limit #{STEP_LIMIT} reached" if attempt >= STEP_LIMIT

      work = pop_work(queue_names)
      if work
        attempt += 1
        Conformance.calls = []
        now = Conformance.now
        work_jid = Sidekiq.load_json(work.job)["jid"]
        succeeded = begin
          processor.send(:process, work)
          true
        rescue Exception # rubocop:disable Lint/RescueException -- Processor re-raises the job's error
          false
        end
        step = {"attempt" => attempt}
        if succeeded
          step["outcome"] = "success"
          job = nil
          step["delay"] = nil
        else
          outcome, job, delay = observe_failure(work_jid, now)
          step["outcome"] = outcome
          step["delay"] = delay
        end
        step["retry_count"] = job && job["retry_count"]
        step["queue"] = job && job["queue"]
        step["error_class"] = job && job["error_class"]
        step["error_message_len"] = job && job["error_message"]&.length
        step["error_message_head"] = job && job["error_message"]&.slice(0, 60)
        step["failed_at"] = job && Helpers.offset(job["failed_at"])
        step["retried_at"] = job && Helpers.offset(job["retried_at"])
        step["backtrace"] = job && Helpers.backtrace_obs(job)
        step["backtrace_encoding"] = job && Helpers.backtrace_encoding(job)
        step["calls"] = Conformance.calls.dup
        step["retry_size"] = Helpers.retry_size
        step["dead_size"] = Helpers.dead_size
        steps << step
        next
      end

      lowest = Helpers.redis { |c| c.zrange("retry", 0, 0, with_scores: true) }.first
      if lowest
        score = lowest[1].to_f
        raise "retry entry in the past: #{score} < #{Conformance.now}" if score < Conformance.now

        Conformance.now = score
        Sidekiq::Scheduled::Enq.new.enqueue_jobs(["retry"])
        next
      end

      if kase["manual_retry_from_dead"] && !manual_done
        manual_done = true
        entry = Sidekiq::DeadSet.new.find_job(jid)
        if entry
          entry.retry
          next
        end
      end
      break
    end
  end

  dead = Helpers.set_entries("dead").map { |job, score| Helpers.entry_obs(job, score) }
  {
    "steps" => steps,
    "stats" => {
      "processed" => Sidekiq::Processor::PROCESSED.reset,
      "failed" => Sidekiq::Processor::FAILURE.reset
    },
    "dead" => dead,
    "final_now" => Helpers.offset(Conformance.now)
  }
ensure
  Object.send(:remove_const, const_name) if const_name && Object.const_defined?(const_name, false)
end

# --- main ----------------------------------------------------------------------------------

if ARGV.length != 2
  warn "usage: ruby #{$PROGRAM_NAME} CASES.json REDIS_URL"
  exit 2
end

cases = JSON.parse(File.read(ARGV[0]))
Sidekiq.logger = Logger.new(File::NULL)
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
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

$stdout.write(JSON.generate({"sidekiq_version" => Sidekiq::VERSION, "cases" => results}))
$stdout.write("\n")

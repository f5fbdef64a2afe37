# frozen_string_literal: true

# Conformance driver for ActiveJob's callback chains: for each scenario, a job class declares
# the same callbacks as test_activejob_callbacks.py, in the same order, and this prints what
# ran, in order, under Debian's ActiveJob 6.1.7 (test adapter):
#
#   {"<scenario>/<skip_after>": {"log": [...], "result": "job" | "false" | "nil" | value}}
#
# A scenario is a list of steps: "before:NAME", "after:NAME", "around:NAME" (calls its block),
# "around_noyield:NAME", "before_abort:NAME" (throws :abort). usage: ruby activejob_callbacks.rb

require "json"
require "logger"
require "active_job"

ActiveJob::Base.logger = Logger.new(nil)
ActiveJob::Base.queue_adapter = :test
ActiveSupport::Deprecation.silenced = true

SCENARIOS = JSON.parse(File.read(File.join(__dir__, "activejob_callbacks.json")))

def build(steps, event, skip_after)
  ActiveJob::Base.skip_after_callbacks_if_terminated = skip_after
  Class.new(ActiveJob::Base) do
    attr_accessor :log

    def self.name
      "ChainJob"
    end

    steps.each do |step|
      kind, name = step.split(":")
      case kind
      when "before" then set_callback(event, :before) { |job| job.log << "before:#{name}" }
      when "after" then set_callback(event, :after) { |job| job.log << "after:#{name}" }
      when "before_abort"
        set_callback(event, :before) { |job| job.log << "abort:#{name}"; throw(:abort) }
      when "around"
        set_callback(event, :around) do |job, block|
          job.log << "around_start:#{name}"
          block.call
          job.log << "around_stop:#{name}"
        end
      when "around_noyield"
        set_callback(event, :around) { |job, _block| job.log << "around_skip:#{name}" }
      end
    end

    def perform
      log << "perform"
      "done"
    end
  end
end

def outcome(value, job)
  return "job" if value.equal?(job)
  return "nil" if value.nil?
  return "false" if value == false
  value.to_s
end

result = {}
SCENARIOS.each do |scenario|
  [true, false].each do |skip_after|
    klass = build(scenario["steps"], scenario["event"].to_sym, skip_after)
    job = klass.new
    job.log = []
    value = scenario["event"] == "enqueue" ? job.enqueue : job.perform_now
    job.log << "enqueued" if scenario["event"] == "enqueue" && value
    result["#{scenario["name"]}/#{skip_after}"] = { "log" => job.log, "result" => outcome(value, job) }
  end
end
puts JSON.generate(result)

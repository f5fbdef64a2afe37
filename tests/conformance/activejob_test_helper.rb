# Runs the real ActiveJob::TestHelper (Debian's ruby-activejob 6.1.7, its test adapter) on the
# cases of a JSON file and prints one JSON document: per case the verdict ("pass", "fail" for a
# failed assertion, "argument_error") and how many jobs the adapter then holds as enqueued and
# performed. Usage: ruby activejob_test_helper.rb CASES
# test_rails_test_helper_verdicts.py runs the same cases through jobsim's helpers and compares.
require "json"
require "logger"
require "minitest"
require "active_job"
require "active_job/test_helper"

ActiveJob::Base.queue_adapter = :test
ActiveJob::Base.logger = Logger.new(nil)

class HelloJob < ActiveJob::Base
  def perform(greeter = "David"); end
end

class LoggingJob < ActiveJob::Base
  def perform(*args); end
end

class RescueJob < ActiveJob::Base
  def perform(person = "david"); end
end

class NestedJob < ActiveJob::Base
  def perform
    LoggingJob.perform_later("NestedJob")
  end
end

# What minitest's TestCase gives the helper's before_setup to call up to.
module SetupChain
  def before_setup; end
end

# One test case's worth of ActiveJob::TestHelper, outside minitest's runner.
class Harness
  include SetupChain
  include Minitest::Assertions
  include ActiveJob::TestHelper
  attr_accessor :assertions

  def initialize
    @assertions = 0
    before_setup
  end
end

HELLO = ->(job) { (job.is_a?(Hash) ? job.fetch(:job) : job.class) == HelloJob }

def filter(value)
  return nil if value.nil?
  return HELLO if value == "proc:hello"
  value.is_a?(Array) ? value.map { |name| Object.const_get(name) } : Object.const_get(value)
end

def options(spec)
  { only: filter(spec["only"]), except: filter(spec["except"]), queue: spec["queue"] }.compact
end

def push(pushes)
  pushes.each do |name, queue, argument, wait|
    target = Object.const_get(name)
    set = { queue: queue, wait: wait }.compact
    target = target.set(**set) unless set.empty?
    argument.nil? ? target.perform_later : target.perform_later(argument)
  end
end

def run_case(harness, spec)
  opts = options(spec["options"])
  case spec["form"]
  when "count_block"
    if spec["kind"] == "count"
      harness.assert_performed_jobs(spec["n"], **opts) { push(spec["pushes"]) }
    else
      harness.assert_no_performed_jobs(**opts) { push(spec["pushes"]) }
    end
  when "count_after_performing"
    push(spec["pushes"])
    harness.perform_enqueued_jobs
    if spec["kind"] == "count"
      harness.assert_performed_jobs(spec["n"], **opts)
    else
      harness.assert_no_performed_jobs(**opts)
    end
  when "perform_block"
    harness.perform_enqueued_jobs(**opts) { push(spec["pushes"]) }
  when "perform_now"
    push(spec["pushes"])
    harness.perform_enqueued_jobs(**opts)
  when "enqueued_block"
    if spec["kind"] == "count"
      harness.assert_enqueued_jobs(spec["n"], **opts) { push(spec["pushes"]) }
    else
      harness.assert_no_enqueued_jobs(**opts) { push(spec["pushes"]) }
    end
  end
  "pass"
rescue Minitest::Assertion
  "fail"
rescue ArgumentError
  "argument_error"
end

cases = JSON.parse(File.read(ARGV.fetch(0)))
results = cases.map do |spec|
  harness = Harness.new
  verdict = run_case(harness, spec)
  [spec["id"], { "verdict" => verdict, "enqueued" => harness.enqueued_jobs.size,
                 "performed" => harness.performed_jobs.size }]
end
puts JSON.generate({ "activejob_version" => ActiveJob.version.to_s, "cases" => results.to_h })

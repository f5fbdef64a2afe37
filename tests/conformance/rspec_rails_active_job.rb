# Runs rspec-rails' real ActiveJob matchers (Debian's ruby-rspec-rails 5.0.2 with ActiveJob
# 6.1) on the cases of a JSON file and prints one JSON document: each case's verdict ("pass" or
# "fail") and the first line of the failure message. Usage: ruby rspec_rails_active_job.rb CASES
# test_rspec_rails_verdicts.py runs the same cases through jobsim's matchers and compares.
require "json"
require "logger"
require "active_job"
require "active_support/testing/time_helpers"
require "rspec/expectations"
require "rspec/mocks"
gem_dir = Dir["/usr/share/rubygems-integration/all/gems/rspec-rails-*/lib"].max
$LOAD_PATH.unshift(gem_dir) if gem_dir
require "rspec/rails/feature_check"
require "rspec/rails/matchers/base_matcher"
require "rspec/rails/matchers/active_job"

ActiveJob::Base.queue_adapter = :test
ActiveJob::Base.logger = Logger.new(nil)

class TwoArgsJob < ActiveJob::Base
  def perform(a, b); end
end

class OneArgJob < ActiveJob::Base
  def perform(a); end
end

include RSpec::Matchers
include RSpec::Rails::Matchers
include ActiveSupport::Testing::TimeHelpers

def build(spec)
  job = spec["job"] && Object.const_get(spec["job"])
  m = have_enqueued_job(job)
  m = m.with(*spec["with"]) if spec["with"]
  m = m.on_queue(spec["on_queue"]) if spec["on_queue"]
  m = m.at(Time.at(spec["at"])) if spec["at"]
  kind, n = spec["count"]
  case kind
  when "exactly" then m = m.exactly(n)
  when "at_least" then m = m.at_least(n)
  when "at_most" then m = m.at_most(n)
  when "once" then m = m.once
  when "twice" then m = m.twice
  end
  m
end

def enqueue(item)
  klass = Object.const_get(item["job"])
  options = {}
  options[:queue] = item["queue"] if item["queue"]
  options[:wait] = item["wait"] if item["wait"]
  configured = options.empty? ? klass : klass.set(options)
  configured.perform_later(*item["args"])
end

cases = JSON.parse(File.read(ARGV.fetch(0)))
out = {}
cases["cases"].each do |c|
  queue_adapter = ActiveJob::Base.queue_adapter
  queue_adapter.enqueued_jobs.clear
  queue_adapter.performed_jobs.clear
  verdict = nil
  message = nil
  travel_to(Time.at(cases["start"])) do
    block = -> { c["enqueues"].each { |item| enqueue(item) } }
    begin
      if c["negated"]
        expect(&block).not_to build(c["matcher"])
      else
        expect(&block).to build(c["matcher"])
      end
      verdict = "pass"
    rescue RSpec::Expectations::ExpectationNotMetError => e
      verdict = "fail"
      message = e.message.lines.first.to_s.strip
    end
  end
  out[c["id"]] = { "verdict" => verdict, "message" => message }
end
puts JSON.generate({ "activejob_version" => ActiveJob.version.to_s, "cases" => out })

# frozen_string_literal: true

# Conformance driver for ActiveJob's argument serialization: enqueues one job per case with
# the REAL ActiveJob (Debian's ruby-activejob 6.1.7) and its test adapter, and prints
#
#   {"activejob_version": "6.1.7.x", "cases": {"<name>": {"arguments": [...]} | {"error": "Class"}}}
#
# the job data's "arguments" as the adapter received them (JSON round-tripped, as Sidekiq
# would store them). usage: ruby activejob_arguments.rb. The same cases, in Python, are in
# test_activejob_arguments.py; a case is named the same on both sides.

require "json"
require "logger"
require "bigdecimal"
require "active_support"
require "active_support/json" # every Rails app loads it; it decides how BigDecimal is written
require "active_job"
require "global_id"

ActiveJob::Base.logger = Logger.new(nil)
ActiveJob::Base.queue_adapter = :test
GlobalID.app = "jobsim"

class User
  include GlobalID::Identification
  attr_reader :id

  def initialize(id)
    @id = id
  end
end

class ArgumentsJob < ActiveJob::Base
  def perform(*_args, **_kwargs); end
end

CASES = {
  "scalars" => -> { [1, "a", 1.5, nil, true, false, -7] },
  "symbol" => -> { [:welcome] },
  "string_keys" => -> { [{ "a" => 1, "b" => [1, 2] }] },
  "symbol_keys" => -> { [{ a: 1, b: "x" }] },
  "mixed_keys" => -> { [{ "a" => 1, b: 2 }] },
  "nested" => -> { [[1, [2, { "c" => { d: :e } }]]] },
  "empty_hash" => -> { [{}] },
  "time_utc" => -> { [Time.utc(2026, 1, 2, 3, 4, 5, 123_456)] },
  "time_offset" => -> { [Time.new(2026, 1, 2, 3, 4, 5, "+05:30")] },
  "time_negative_offset" => -> { [Time.new(2026, 7, 1, 12, 0, 0, "-08:00")] },
  "time_with_zone" => -> { [Time.utc(2026, 1, 2, 3, 4, 5).in_time_zone("Europe/Berlin")] },
  "time_with_zone_utc" => -> { [Time.utc(2026, 1, 2, 3, 4, 5).in_time_zone("UTC")] },
  "date" => -> { [Date.new(2026, 2, 3)] },
  "duration_day" => -> { [ActiveSupport::Duration.build(86_400)] },
  "duration_mixed" => -> { [ActiveSupport::Duration.build(5_400)] },
  "duration_weeks" => -> { [ActiveSupport::Duration.build(1_818_000)] },
  "duration_zero" => -> { [ActiveSupport::Duration.build(0)] },
  "duration_fraction" => -> { [ActiveSupport::Duration.build(1.5)] },
  "duration_negative" => -> { [ActiveSupport::Duration.build(-3_600)] },
  "duration_year" => -> { [ActiveSupport::Duration.build(40_000_000)] },
  "decimal" => -> { [BigDecimal("1.5")] },
  "decimal_whole" => -> { [BigDecimal("100")] },
  "global_id" => -> { [User.new(42)] },
  "global_id_in_hash" => -> { [{ "user" => User.new(7) }] },
  "reserved_key" => -> { [{ "_aj_globalid" => 1 }] },
  "reserved_symbol_key" => -> { [{ _aj_symbol_keys: 1 }] },
  "integer_key" => -> { [{ 1 => 2 }] },
  "unsupported_object" => -> { [Object.new] },
}.freeze

KEYWORD_CASES = {
  "keywords" => -> { ArgumentsJob.perform_later(1, a: 2, b: :c) },
  "keywords_only" => -> { ArgumentsJob.perform_later(name: "x") },
}.freeze

def observe
  ActiveJob::Base.queue_adapter.enqueued_jobs.clear
  yield
  job = ActiveJob::Base.queue_adapter.enqueued_jobs.last
  { "arguments" => JSON.parse(JSON.generate(job[:args])) }
rescue StandardError => e
  { "error" => e.class.name }
end

cases = {}
CASES.each { |name, values| cases[name] = observe { ArgumentsJob.perform_later(*values.call) } }
KEYWORD_CASES.each { |name, enqueue| cases[name] = observe { enqueue.call } }
puts JSON.generate({ "activejob_version" => ActiveJob.version.to_s, "cases" => cases })

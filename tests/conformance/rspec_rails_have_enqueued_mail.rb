# Runs rspec-rails' real have_enqueued_mail (Debian's ruby-rspec-rails 5.0.2, ActionMailer 6.1)
# on the cases of a JSON file, with mailers whose delivery_job is the unified
# ActionMailer::MailDeliveryJob (what load_defaults 6.0+ sets) and one on the legacy
# ActionMailer::DeliveryJob (6.1's framework default), and prints one JSON document: each
# case's verdict ("pass" or "fail") and, when it failed, rspec-rails' failure message.
# Usage: ruby rspec_rails_have_enqueued_mail.rb CASES
# test_rspec_rails_have_enqueued_mail_verdicts.py runs the same cases through jobsim's matcher.
require "json"
require "logger"
require "active_job"
require "action_mailer"
require "active_support/testing/time_helpers"
require "rspec/expectations"
require "rspec/mocks"
gem_dir = Dir["/usr/share/rubygems-integration/all/gems/rspec-rails-*/lib"].max
$LOAD_PATH.unshift(gem_dir) if gem_dir
require "rspec/rails/feature_check"
require "rspec/rails/matchers/base_matcher"
require "rspec/rails/matchers/active_job"
require "rspec/rails/matchers/have_enqueued_mail"

ActiveJob::Base.queue_adapter = :test
ActiveJob::Base.logger = Logger.new(nil)
ActionMailer::Base.delivery_method = :test

class UnifiedMailer < ActionMailer::Base
  self.delivery_job = ActionMailer::MailDeliveryJob

  def test_email; mail(to: "a@example.com", from: "b@example.com", body: "hi"); end
  def email_with_args(arg1, arg2); mail(to: "a@example.com", from: "b@example.com", body: "hi"); end
end

class LegacyMailer < ActionMailer::Base
  self.delivery_job = ActionMailer::DeliveryJob

  def test_email; mail(to: "a@example.com", from: "b@example.com", body: "hi"); end
  def email_with_args(arg1, arg2); mail(to: "a@example.com", from: "b@example.com", body: "hi"); end
end

class OtherMailer < ActionMailer::Base
  self.delivery_job = ActionMailer::MailDeliveryJob

  def test_email; mail(to: "a@example.com", from: "b@example.com", body: "hi"); end
end

include RSpec::Matchers
include RSpec::Mocks::ArgumentMatchers
include RSpec::Rails::Matchers
include ActiveSupport::Testing::TimeHelpers

def build(spec)
  mailer = spec["mailer"] && Object.const_get(spec["mailer"])
  m = have_enqueued_mail(mailer, spec["action"]&.to_sym)
  if spec["hash_including"]
    m = m.with(hash_including(spec["hash_including"].transform_keys(&:to_sym)))
  elsif spec["with"]
    m = m.with(*spec["with"])
  end
  m = m.on_queue(spec["on_queue"]) if spec["on_queue"]
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

def send_mail(item)
  mailer = Object.const_get(item["mailer"])
  mailer = mailer.with(item["params"]) if item["params"]
  delivery = mailer.public_send(item["action"], *item["args"])
  options = {}
  options[:queue] = item["queue"] if item["queue"]
  delivery.deliver_later(**options)
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
    block = -> { c["mails"].each { |item| send_mail(item) } }
    begin
      if c["negated"]
        expect(&block).not_to build(c["matcher"])
      else
        expect(&block).to build(c["matcher"])
      end
      verdict = "pass"
    rescue RSpec::Expectations::ExpectationNotMetError => e
      verdict = "fail"
      message = e.message
    end
  end
  out[c["id"]] = { "verdict" => verdict, "message" => message }
end
puts JSON.generate({ "actionmailer_version" => ActionMailer.version.to_s, "cases" => out })

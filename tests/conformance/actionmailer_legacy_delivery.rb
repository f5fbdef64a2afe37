# frozen_string_literal: true

# Conformance driver for ActionMailer 6.1's legacy delivery jobs: with Debian's ActionMailer
# 6.1.7 on its framework defaults (no load_defaults: ActionMailer::DeliveryJob on the "mailers"
# queue), enqueues plain, parameterized and keyword mails and mails through custom delivery jobs
# with the test adapter, then performs them. Prints one JSON line per case: the enqueued job's
# class, queue, priority, arguments and schedule, the deprecations enqueueing and performing
# emitted, and the mails delivered. test_actionmailer_legacy_delivery.py does the same in
# jobsim and compares.

require "json"
require "logger"
require "active_support"
require "active_support/json"
require "action_mailer"
require "active_job"
require "global_id"
ActiveJob::Base.logger = Logger.new(nil)
ActiveJob::Base.queue_adapter = :test
ActionMailer::Base.delivery_method = :test
GlobalID.app = "jobsim"
DEPRECATIONS = []
ActiveSupport::Deprecation.behavior = lambda do |message, *|
  DEPRECATIONS << message.lines.first.strip.delete_prefix("DEPRECATION WARNING: ").sub(/ \(called from .*\)\z/, "")
end

class User
  include GlobalID::Identification
  attr_reader :id
  def initialize(id); @id = id; end
  def self.find(id); new(Integer(id)); end
end

class LegacyArgumentDeliveryJob < ActiveJob::Base
  def perform(mailer, mail_method, delivery_method, *args); end
end

class NewArgumentDeliveryJob < ActiveJob::Base
  def perform(mailer, mail_method, delivery_method, args:); end
end

class KeyRestArgumentJob < ActiveJob::Base
  def perform(mailer, mail_method, delivery_method, **kwargs); end
end

class LegacySubclassJob < ActionMailer::DeliveryJob; end

class UserMailer < ActionMailer::Base
  default from: "notifications@example.com"
  def welcome_email(user, plan = "free")
    mail(to: "u#{user.id}@example.com", subject: "Welcome #{plan}") { |f| f.text { render plain: "hi" } }
  end

  def notice(user, note:)
    to = "u#{user.id}@example.com"
    mail(to: to, subject: "Note #{note} #{params && params[:by]&.id}") { |f| f.text { render plain: "hi" } }
  end
end

def run(name, job = nil)
  UserMailer.delivery_job = job if job
  DEPRECATIONS.clear
  adapter = ActiveJob::Base.queue_adapter
  adapter.enqueued_jobs.clear
  ActionMailer::Base.deliveries.clear
  yield
  enqueue_deprecations = DEPRECATIONS.dup
  DEPRECATIONS.clear
  enqueued = adapter.enqueued_jobs.dup
  error = nil
  begin
    enqueued.each { |payload| ActiveJob::Base.execute(payload.stringify_keys.except("job", "args", "queue", "at", "priority")) }
  rescue StandardError => e
    error = e.class.name
  end
  puts JSON.generate(
    "case" => name,
    "jobs" => enqueued.map do |job|
      { "job_class" => job["job_class"], "queue" => job[:queue], "priority" => job["priority"],
        "arguments" => job["arguments"], "scheduled" => job.key?(:at) }
    end,
    "enqueue_deprecations" => enqueue_deprecations,
    "perform_deprecations" => DEPRECATIONS.dup,
    "delivered" => ActionMailer::Base.deliveries.map { |m| [m.to, m.subject] },
    "error" => error,
  )
ensure
  UserMailer.delivery_job = ActionMailer::DeliveryJob
end

run("plain") { UserMailer.welcome_email(User.new(1), "pro").deliver_later }
run("parameterized") { UserMailer.with(by: User.new(2)).notice(User.new(3), note: "x").deliver_later(wait: 60) }
run("keywords") { UserMailer.notice(User.new(4), note: "y").deliver_later(queue: :urgent, priority: 5) }
run("bang") { UserMailer.welcome_email(User.new(5)).deliver_later! }
run("subclass", LegacySubclassJob) { UserMailer.welcome_email(User.new(6)).deliver_later }
run("legacy_custom", LegacyArgumentDeliveryJob) { UserMailer.welcome_email(User.new(7)).deliver_later }
run("new_args_custom", NewArgumentDeliveryJob) { UserMailer.welcome_email(User.new(8)).deliver_later }
run("keyrest_custom", KeyRestArgumentJob) { UserMailer.welcome_email(User.new(9)).deliver_later }
run("parameterized_custom", LegacyArgumentDeliveryJob) { UserMailer.with(by: User.new(1)).welcome_email(User.new(10)).deliver_later }
run("unified", ActionMailer::MailDeliveryJob) { UserMailer.with(by: User.new(1)).welcome_email(User.new(11)).deliver_later }

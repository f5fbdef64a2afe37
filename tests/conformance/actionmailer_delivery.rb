# frozen_string_literal: true

# Conformance driver for ActionMailer's deliver_later: enqueues four mails with Debian's
# ActionMailer/ActiveJob 6.1.7 and the test adapter (MailDeliveryJob and the default queue, as
# load_defaults "6.1" configures; then deliver_later_queue_name = :mailers) and prints one JSON
# line per enqueued job: job class, queue, priority, arguments, and whether it is scheduled.
# test_actionmailer_conformance.py does the same in jobsim and compares.

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
ActionMailer::Base.delivery_job = ActionMailer::MailDeliveryJob
ActionMailer::Base.deliver_later_queue_name = nil
GlobalID.app = "jobsim"
class User
  include GlobalID::Identification
  attr_reader :id
  def initialize(id); @id = id; end
end
class UserMailer < ActionMailer::Base
  default from: "notifications@example.com"
  def welcome_email(user, plan = "free")
    mail(to: "u#{user.id}@example.com", subject: "Welcome #{plan}") { |f| f.text { render plain: "hi" } }
  end
end
UserMailer.welcome_email(User.new(1), "pro").deliver_later
UserMailer.with(user: User.new(2)).welcome_email(User.new(3)).deliver_later(wait: 60)
ActionMailer::Base.deliver_later_queue_name = :mailers
UserMailer.welcome_email(User.new(4)).deliver_later(queue: :urgent, priority: 5)
UserMailer.welcome_email(User.new(5)).deliver_later
ActiveJob::Base.queue_adapter.enqueued_jobs.each do |job|
  puts JSON.generate(
    "job_class" => job["job_class"], "queue" => job[:queue], "priority" => job["priority"],
    "arguments" => job["arguments"], "scheduled" => job.key?(:at)
  )
end

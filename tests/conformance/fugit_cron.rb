# frozen_string_literal: true

# Conformance driver for jobsim.cron's "fugit" dialect: runs every case of cron_cases.json
# through Debian's REAL Fugit (ruby-fugit 1.5.2) and prints one JSON document on stdout:
#
#   {"fugit_version": "1.5.2", "cases": [{"valid": bool, "next": [epoch...], "previous": [...]}]}
#
# usage: ruby fugit_cron.rb CASES.json [REDIS_URL (ignored)]
#
# A case is {"expression", "zone", "start"}: the cron is parsed with Fugit.parse_cron (after
# Fugit::Nat for natural-language text, as Fugit.parse does); when it names no zone of its own,
# the case's zone is set on it (jobsim's tz= argument). `start` is epoch seconds, given to
# Fugit as an EoTime in the case's zone. Any exception makes the case {"valid": false}.

require "json"
require "fugit"

COUNT = 3

cases = JSON.parse(File.read(ARGV[0]))
out = cases.map do |c|
  begin
    cron = Fugit::Cron.parse(c["expression"]) || Fugit::Nat.parse(c["expression"])
    if cron.is_a?(Fugit::Cron)
      zone = EtOrbi.get_tzone(c["zone"])
      cron.instance_variable_set(:@timezone, zone) unless cron.timezone
      nexts = []
      t = EtOrbi::EoTime.new(c["start"], zone)
      COUNT.times { t = cron.next_time(t); nexts << t.to_i }
      prevs = []
      t = EtOrbi::EoTime.new(c["start"], zone)
      COUNT.times { t = cron.previous_time(t); prevs << t.to_i }
      { "valid" => true, "next" => nexts, "previous" => prevs }
    else
      { "valid" => false }
    end
  rescue StandardError => e
    { "valid" => false, "error" => "#{e.class}: #{e.message}"[0, 200] }
  end
end

puts JSON.generate({ "fugit_version" => Fugit::VERSION, "cases" => out })

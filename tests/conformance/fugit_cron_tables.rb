# frozen_string_literal: true

# Conformance driver for the port of Fugit's test/cron_test.rb tables: runs every case of
# fugit_cron_cases.json through Debian's REAL Fugit (ruby-fugit 1.5.2) and prints
#
#   {"fugit_version": "1.5.2", "cases": [{"value": ...} | {"error": "Class: message"}]}
#
# usage: ruby fugit_cron_tables.rb CASES.json
#
# A case's "kind" says what to ask: next_time / previous_time (from "start", default
# 2017-01-02 12:00:00, in "zone", default UTC: the wall time answered, and whether the cron
# match?es the upstream expectation), to_cron_s (nil when the cron does not parse), zone,
# months_monthdays, weekdays, seconds, to_a, rough_frequency, brute_frequency (to_debug_s),
# do_parse (the error message), equal, roundtrip, parse_cron (original and to_cron_s).

require "json"
require "time"
require "fugit"

def in_zone(zone)
  ENV["TZ"] = zone || "UTC"
  yield
ensure
  ENV["TZ"] = "UTC"
end

def ask(c)
  cron = Fugit::Cron.parse(c["cron"])
  case c["kind"]
  when "next_time", "previous_time"
    in_zone(c["zone"]) do
      return { "valid" => false } unless cron
      from = Time.parse(c["start"] || "2017-01-02 12:00:00")
      t = cron.send(c["kind"], from)
      match = begin
        cron.match?(Time.parse(c["head"]))
      rescue StandardError => e
        "#{e.class}"
      end
      { "valid" => true, "time" => Fugit.time_to_plain_s(t, false), "match" => match }
    end
  when "to_cron_s" then cron ? cron.to_cron_s : nil
  when "zone" then cron && cron.zone
  when "months_monthdays" then cron ? [cron.months, cron.monthdays] : nil
  when "weekdays" then cron && cron.weekdays
  when "seconds" then cron && cron.seconds
  when "to_a" then cron && cron.to_a
  when "rough_frequency" then cron.rough_frequency
  when "brute_frequency" then in_zone("UTC") { cron.brute_frequency(c["year"]).to_debug_s }
  when "do_parse" then Fugit::Cron.do_parse(c["cron"]) && "parsed"
  when "equal" then cron == Fugit::Cron.parse(c["other"])
  when "roundtrip" then Fugit::Cron.parse(cron.to_cron_s) == cron
  when "parse_cron"
    r = Fugit.parse_cron(c["cron"])
    r && [r.original, r.to_cron_s]
  else raise "unknown kind #{c["kind"]}"
  end
end

cases = JSON.parse(File.read(ARGV[0]))
out = cases.map do |c|
  { "value" => ask(c) }
rescue StandardError => e
  { "error" => "#{e.class}: #{e.message}"[0, 200] }
end

puts JSON.generate({ "fugit_version" => Fugit::VERSION, "cases" => out })

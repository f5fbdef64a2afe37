# frozen_string_literal: true

# Conformance driver for the port of the "implicit tz DST transition" group of Fugit's
# test/cron_test.rb: walks each case's cron (or phrase) through Debian's REAL Fugit
# (ruby-fugit 1.5.2) and prints
#
#   {"fugit_version": "1.5.2", "cases": [{"points": [[local wall, utc wall], ...],
#                                         "occurrences": n or null} | {"error": "..."}]}
#
# usage: ruby fugit_dst_steps.rb CASES.json
#
# A case: "zone" (the process zone, as upstream's in_zone), "parser" ("cron" or "nat"),
# "text", "start" (a wall time in the zone, or an instant ending in " UTC"), "steps" (how many
# next_time calls, each from the last answer), "year" (brute_frequency's year, or null).

require "json"
require "time"
require "fugit"

def in_zone(zone)
  ENV["TZ"] = zone
  yield
ensure
  ENV["TZ"] = "UTC"
end

def walk(c)
  in_zone(c["zone"]) do
    cron = c["parser"] == "nat" ? Fugit::Nat.parse(c["text"]) : Fugit::Cron.parse(c["text"])
    return { "error" => "nil: the text did not parse" } unless cron

    t = Time.parse(c["start"])
    points = Array.new(c["steps"]) do
      t = cron.next_time(t)
      local = t.to_t.localtime
      [local.strftime("%Y-%m-%d %H:%M:%S %z"), t.to_t.dup.utc.strftime("%Y-%m-%d %H:%M:%S")]
    end
    occurrences = c["year"] ? cron.brute_frequency(c["year"]).occurrences : nil
    { "points" => points, "occurrences" => occurrences }
  end
rescue StandardError => e
  { "error" => "#{e.class}: #{e.message}" }
end

cases = JSON.parse(File.read(ARGV.fetch(0)))
puts JSON.generate({ "fugit_version" => Fugit::VERSION, "cases" => cases.map { |c| walk(c) } })

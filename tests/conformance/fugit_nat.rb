# frozen_string_literal: true

# Conformance driver for jobsim's Fugit natural language and Fugit.parse dispatch: runs every
# case of fugit_nat_cases.json through Debian's REAL Fugit (ruby-fugit 1.5.2) and prints one
# JSON document on stdout:
#
#   {"fugit_version": "1.5.2", "cases": [answer, ...]}
#
# usage: ruby fugit_nat.rb CASES.json
#
# A case is {"call", "input", "opts"}; call is nat (Fugit::Nat.parse), nat_do_parse,
# parse_nat, parse, do_parse, parse_is_nat (Fugit.parse(s) == Fugit.parse_nat(s)),
# parse_cronish or determine_type. An answer is {"type": "nil"}, {"type": "cron",
# "original", "cron_s"}, {"type": "list", "items"}, {"type": "duration", "plain"},
# {"type": "time", "plain"}, {"type": "value", "value"} or {"type": "error", "class",
# "message"}. Runs in UTC (parse_test.rb's in_zone('UTC')).

ENV["TZ"] = "UTC"

require "json"
require "fugit"

def render(x)
  case x
  when nil then { "type" => "nil" }
  when Fugit::Cron then { "type" => "cron", "original" => x.original, "cron_s" => x.to_cron_s }
  when Array then { "type" => "list", "items" => x.map { |e| render(e) } }
  when Fugit::Duration then { "type" => "duration", "plain" => x.to_plain_s }
  when EtOrbi::EoTime then { "type" => "time", "plain" => Fugit.time_to_plain_s(x) }
  else { "type" => "value", "value" => x }
  end
end

def options(h)
  h.each_with_object({}) do |(k, v), o|
    o[k.to_sym] = (v == "fail" ? :fail : v)
  end
end

cases = JSON.parse(File.read(ARGV[0]))
out = cases.map do |c|
  s = c["input"]
  opts = options(c["opts"] || {})
  begin
    case c["call"]
    when "nat" then render(Fugit::Nat.parse(s, opts))
    when "nat_do_parse" then render(Fugit::Nat.do_parse(s, opts))
    when "parse_nat" then render(Fugit.parse_nat(s))
    when "parse" then render(Fugit.parse(s, opts))
    when "do_parse" then render(Fugit.do_parse(s, opts))
    when "parse_is_nat" then render(Fugit.parse(s) == Fugit.parse_nat(s))
    when "parse_cronish" then render(Fugit.parse_cronish(s))
    when "determine_type" then render(Fugit.determine_type(s))
    else raise "unknown call #{c["call"]}"
    end
  rescue StandardError => e
    { "type" => "error", "class" => e.class.name, "message" => e.message[0, 200] }
  end
end

puts JSON.generate({ "fugit_version" => Fugit::VERSION, "cases" => out })

# frozen_string_literal: true

# The Fugit side of bench_cron.py --fugit: the same mix through Debian's real Fugit 1.5.2.
#
# usage: ruby fugit_cron.rb COUNT EXPR... -- ZONE...
#
# For every (expression, zone) pair, a fresh Fugit::Cron computes COUNT next times from
# 2024-01-01 00:00 UTC (in the zone), then a fresh one COUNT previous times. Prints
# {"fugit_version", "fire_times", "seconds"} (monotonic clock, parse included, as jobsim's run).

require "json"
require "fugit"

count = Integer(ARGV.shift)
split = ARGV.index("--")
expressions = ARGV[0...split]
zones = ARGV[(split + 1)..]

start = Time.utc(2024, 1, 1).to_i
done = 0
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
zones.each do |zone_name|
  zone = EtOrbi.get_tzone(zone_name)
  expressions.each do |expression|
    [:next_time, :previous_time].each do |direction|
      cron = Fugit::Cron.parse(expression)
      cron.instance_variable_set(:@timezone, zone)
      t = EtOrbi::EoTime.new(start, zone)
      count.times { t = cron.send(direction, t) }
      done += count
    end
  end
end
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
puts JSON.generate({ "fugit_version" => Fugit::VERSION, "fire_times" => done, "seconds" => seconds })

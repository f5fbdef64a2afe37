# Which argument lists Ruby's JSON.generate (Sidekiq's dump_json) can write inside a job hash.
# Reads cases as JSON lines on stdin: {"name", "depth"} builds [depth nested arrays], and
# "surrogate" / "cycle" build the two values JSON cannot hold. Prints "name ok" or
# "name ErrorClass" per case.
require "json"

def nested(depth)
  value = []
  (depth - 1).times { value = [value] }
  value
end

$stdin.each_line do |line|
  spec = JSON.parse(line)
  args = case spec["kind"]
         when "depth" then [nested(spec["depth"])]
         when "surrogate" then ["caf\xED\xA0\x80".dup.force_encoding("UTF-8")]
         when "cycle" then (loop_list = []; loop_list << loop_list; [loop_list])
         end
  begin
    JSON.generate({"class" => "Ping", "args" => args})
    puts "#{spec["name"]} ok"
  rescue JSON::JSONError => e
    puts "#{spec["name"]} #{e.class}"
  end
end

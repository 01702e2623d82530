-- wrk's --latency prints the 50th, 75th, 90th and 99th percentiles; the targets name the 95th.
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end

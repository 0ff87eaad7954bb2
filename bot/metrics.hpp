// Prometheus metrics: counters updated by the service, gauges sampled when /metrics is scraped.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tilang::bot {

class Metrics {
 public:
  void count_request(const std::string& route, unsigned status);

  // Named monotonic counters (e.g. "tilangbot_webhook_duplicates_total").
  void add(const std::string& name, std::int64_t delta = 1);
  std::int64_t value(const std::string& name) const;

  // A gauge whose value is read at scrape time (inbox depth, lag...).
  void gauge(std::string name, std::string help, std::function<double()> read);

  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::int64_t> requests_;
  std::map<std::string, std::int64_t> counters_;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace tilang::bot

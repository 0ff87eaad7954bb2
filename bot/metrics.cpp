#include "bot/metrics.hpp"

#include <sstream>

namespace tilang::bot {

void Metrics::count_request(const std::string& route, unsigned status) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
}

void Metrics::add(const std::string& name, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  counters_[name] += delta;
}

std::int64_t Metrics::value(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

void Metrics::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::render() const {
  std::vector<Gauge> gauges;
  std::ostringstream out;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP tilangbot_http_requests_total HTTP requests by route and status code.\n"
        << "# TYPE tilangbot_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      out << "tilangbot_http_requests_total{route=\"" << key.first << "\",code=\"" << key.second << "\"} "
          << count << "\n";
    }
    for (const auto& [name, count] : counters_) {
      out << "# TYPE " << name << " counter\n" << name << " " << count << "\n";
    }
    gauges = gauges_;
  }
  // Gauges may touch the database: read them outside the lock.
  for (const auto& g : gauges) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n"
        << g.name << " " << g.read() << "\n";
  }
  return out.str();
}

}  // namespace tilang::bot

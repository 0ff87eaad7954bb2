// The disk's floor under every durable ack: how long one group commit's worth of bytes takes to
// write and fdatasync on this volume, with nothing else running, and how many device writes each
// fdatasync costs (from /proc/diskstats). The file is written with zeros first and then only
// overwritten, so its size never changes: the cheapest durable write there is.
// Usage: fsync_probe DIR [COUNT] [BYTES]   -> one JSON line
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Completed writes of the block device holding `dir` (field 8 of /proc/diskstats).
std::optional<long long> device_writes(const std::string& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) return std::nullopt;
  std::ifstream stats("/proc/diskstats");
  std::string line;
  while (std::getline(stats, line)) {
    std::istringstream fields(line);
    unsigned major_no = 0, minor_no = 0;
    std::string name;
    long long reads = 0, reads_merged = 0, sectors_read = 0, read_ms = 0, writes = 0;
    if (!(fields >> major_no >> minor_no >> name >> reads >> reads_merged >> sectors_read >> read_ms >> writes)) continue;
    if (major_no == major(info.st_dev) && minor_no == minor(info.st_dev)) return writes;
  }
  return std::nullopt;
}

double percentile(std::vector<double>& sorted, double p) {
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fsync_probe DIR [COUNT] [BYTES]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int count = argc > 2 ? std::atoi(argv[2]) : 2000;
  const std::size_t bytes = argc > 3 ? static_cast<std::size_t>(std::atol(argv[3])) : 48 * 1024;
  const std::string path = dir + "/fsync_probe.bin";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || count <= 0 || bytes == 0) {
    std::perror("fsync_probe");
    return 1;
  }
  // Zeros written group by group: the file gets real blocks without a buffer of the whole size.
  const std::vector<char> zeros(bytes, 0);
  for (int i = 0; i < count; ++i) {
    if (::pwrite(fd, zeros.data(), bytes, static_cast<off_t>(i) * static_cast<off_t>(bytes)) != static_cast<ssize_t>(bytes)) {
      std::perror("fsync_probe: preallocate");
      return 1;
    }
  }
  if (::fsync(fd) != 0) {
    std::perror("fsync_probe: preallocate");
    return 1;
  }
  const std::vector<char> group(bytes, 'x');
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(count));
  const auto writes_before = device_writes(dir);
  for (int i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (::pwrite(fd, group.data(), bytes, static_cast<off_t>(i) * static_cast<off_t>(bytes)) != static_cast<ssize_t>(bytes) ||
        ::fdatasync(fd) != 0) {
      std::perror("fsync_probe: write");
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  const auto writes_after = device_writes(dir);
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(ms.begin(), ms.end());
  std::string per_sync = "null";
  if (writes_before && writes_after) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", static_cast<double>(*writes_after - *writes_before) / count);
    per_sync = text;
  }
  std::printf("{\"count\":%d,\"bytes\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"device_writes_per_sync\":%s}\n", count,
              bytes, percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 0.999), per_sync.c_str());
  return 0;
}

// Runs the real `tilangbot serve` binary as a child process (for kill and restart drills).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace tilang::test {

class ServiceProcess {
 public:
  // `env` is added to a minimal environment; TILANGBOT_LISTEN defaults to 127.0.0.1:0.
  ServiceProcess(std::map<std::string, std::string> env, std::string log_path, bool demo = false);
  ~ServiceProcess();

  // Starts the child and waits (up to 20 s) until it logs the port it listens on.
  void start();
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  void kill_hard();                // SIGKILL, then reap
  int terminate();                 // SIGTERM, wait; returns the exit status (or -1 on timeout)
  bool running();

 private:
  std::map<std::string, std::string> env_;
  std::string log_path_;
  bool demo_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace tilang::test

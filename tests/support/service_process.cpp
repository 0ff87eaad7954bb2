#include "tests/support/service_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace tilang::test {

ServiceProcess::ServiceProcess(std::map<std::string, std::string> env, std::string log_path, bool demo)
    : env_(std::move(env)), log_path_(std::move(log_path)), demo_(demo) {
  env_.try_emplace("TILANGBOT_LISTEN", "127.0.0.1:0");
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) kill_hard();
}

void ServiceProcess::start() {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env_) env_strings.push_back(k + "=" + v);
  env_strings.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string binary = TILANGBOT_BINARY;
  std::string serve = "serve";
  std::string demo = "--demo";
  std::vector<char*> argv{binary.data(), serve.data()};
  if (demo_) argv.push_back(demo.data());
  argv.push_back(nullptr);

  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path_);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(log_fd, 2);
    ::dup2(log_fd, 1);
    ::execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");

  std::regex listen_re(R"re("listen":"[^"]*:(\d+)")re");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string log = read_file(log_path_);
    if (std::regex_search(log, m, listen_re)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    if (!running()) throw std::runtime_error("tilangbot exited during start-up: " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("tilangbot did not report its port: " + read_file(log_path_));
}

bool ServiceProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ServiceProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServiceProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

}  // namespace tilang::test

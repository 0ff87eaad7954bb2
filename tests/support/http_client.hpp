// A small synchronous HTTP/1.1 client over loopback with keep-alive, for integration tests.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace tilang::test {

struct HttpResult {
  int status = 0;        // 0: the connection failed or was closed before an answer
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port);
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target) { return request("GET", target); }

  // POST /webhook signed with `secret` (or with a given signature header value when not empty).
  HttpResult post_webhook(const std::string& body, const std::string& secret);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string read_file(const std::string& path);
std::string fixture(const std::string& name);  // ../shared/fixtures/webhooks/<name>

}  // namespace tilang::test

// The listener's limits and TLS, against the real server on 127.0.0.1:0.
#include <catch2/catch.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <cstdlib>

#include "tests/support/service_harness.hpp"

using namespace tilang;
using namespace tilang::test;

TEST_CASE("a request header over 16 KiB is refused with 431", "[http]") {
  ServiceHarness harness;
  auto client = harness.client();
  auto result = client.request("GET", "/healthz", "", {{"X-Padding", std::string(17 * 1024, 'p')}});
  CHECK(result.status == 431);
  CHECK(harness.client().get("/healthz").status == 200);
}

TEST_CASE("keep-alive: many requests share one connection", "[http]") {
  ServiceHarness harness;
  auto client = harness.client();
  for (int i = 0; i < 20; ++i) REQUIRE(client.get("/healthz").status == 200);
  auto metrics = client.get("/metrics");
  CHECK(metrics.body.find("tilangbot_http_requests_total{route=\"healthz\",code=\"200\"} 20") != std::string::npos);
}

TEST_CASE("with TILANGBOT_TLS_CERT and _KEY the listener speaks HTTPS", "[http][tls]") {
  TempDir certs;
  std::string cert = certs.file("cert.pem"), key = certs.file("key.pem");
  std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " + key +
                        " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  ServiceHarness harness([&](bot::Config& config) {
    config.tls_cert = cert;
    config.tls_key = key;
  });

  net::io_context io;
  net::ssl::context context(net::ssl::context::tls_client);
  context.load_verify_file(cert);  // trust exactly this self-signed certificate
  context.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), harness.service().port()));
  stream.handshake(net::ssl::stream_base::client);
  http::request<http::empty_body> request{http::verb::get, "/healthz", 11};
  request.set(http::field::host, "localhost");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "ok\n");

  // Plain HTTP to the TLS port gets no answer.
  auto plain = harness.client().get("/healthz");
  CHECK(plain.status == 0);
}

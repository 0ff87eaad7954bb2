#include "bot/api_handlers.hpp"


#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "bot/api_common.hpp"
#include "bot/clock.hpp"
#include "bot/fines_import.hpp"
#include "bot/privacy.hpp"
#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

using api::json_response;
using api::error_response;
using api::query_param;
using api::segments_after;
using api::object_body;
using api::string_field;
using api::same_secret;
using api::answer_or_500;
using api::needs_role;
using api::refused;

using nlohmann::json;

json payment_json(const storage::PaymentRow& p, const Engine& engine, bool mask = false) {
  return {{"id", p.id},
          {"reference", p.reference},
          {"wa_id", mask ? mask_phone(p.wa_id) : p.wa_id},
          {"register_no", p.register_no},
          {"state", p.state},
          {"reason", p.reason},
          {"duplicate_of", p.duplicate_of},
          {"media_sha256", p.media_sha256},
          {"media_path", p.media_path},
          {"media_mime", p.media_mime},
          {"decided_by", p.decided_by},
          {"created_at", engine.format_time(p.created_at_ms)},
          {"created_at_ms", p.created_at_ms}};
}

json report_json(const storage::ReportRow& r, const Engine& engine, bool mask = false) {
  json j{{"report_no", r.report_no},
         {"wa_id", mask ? mask_phone(r.wa_id) : r.wa_id},
         {"category", r.category},
         {"team", r.team},
         {"what", r.what},
         {"how", r.how},
         {"when", r.when_text},
         {"where", r.where_text},
         {"who", r.who},
         {"photo_sha256", r.photo_sha256},
         {"status", r.status},
         {"notes", r.notes},
         {"created_at", engine.format_time(r.created_at_ms)},
         {"updated_at", engine.format_time(r.updated_at_ms)}};
  if (r.has_location) {
    j["latitude"] = r.latitude;
    j["longitude"] = r.longitude;
  } else {
    j["latitude"] = nullptr;
    j["longitude"] = nullptr;
  }
  return j;
}

http::status status_of(EngineResult result) {
  switch (result) {
    case EngineResult::done: return http::status::ok;
    case EngineResult::not_found: return http::status::not_found;
    case EngineResult::conflict: return http::status::conflict;
    case EngineResult::invalid: return http::status::bad_request;
    case EngineResult::failed: return http::status::service_unavailable;
  }
  return http::status::internal_server_error;
}

class Api {
 public:
  explicit Api(ApiContext context) : ctx_(std::move(context)) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = wall_clock_ms;
    }
  }

  // Runs `handler` for an authenticated caller whose role is at least `need`, else answers 401/403.
  template <class F>
  void guarded(Request&& r, Respond& respond, Role need, F&& handler) {
    auto auth = authenticate(r);
    if (!auth.caller) return respond(refused(r, auth.status, auth.error));
    const ApiCaller& caller = *auth.caller;
    if (!role_allows(caller.role, need)) return respond(needs_role(r, need));
    answer_or_500(r, respond, "api_failed", [&] { return handler(r, caller); });
  }

  void audit(const ApiCaller& caller, const Request& r, const std::string& action, const std::string& target) {
    if (ctx_.audit) ctx_.audit(caller, r, action, target);
  }

  Response post_fines(const Request& r) {
    json body = json::parse(r.body(), nullptr, false);
    if (body.is_discarded()) return error_response(r, http::status::bad_request, "body is not JSON");
    if (!body.is_array()) return error_response(r, http::status::bad_request, "body must be a JSON array of fines");
    auto result = ctx_.engine->with_store([&](storage::EngineStore& store) {
      return import_fines_json(store, body, ctx_.business_number, ctx_.now_ms());
    });
    if (!result.ok()) return error_response(r, http::status::service_unavailable, result.error);
    return json_response(r, http::status::ok, to_json(result, "index"));
  }

  Response list_payments(const Request& r, const ApiCaller& caller) {
    std::string state = query_param(r.target(), "state");
    if (state.empty()) state = "pending";
    if (state != "pending" && state != "verified" && state != "rejected" && state != "all") {
      return error_response(r, http::status::bad_request, "state must be pending, verified, rejected or all");
    }
    auto rows = ctx_.engine->with_store([&](storage::EngineStore& store) {
      return store.payments_in_state(state == "all" ? "" : state, 1000);
    });
    const bool mask = !sees_personal_data(caller.role);
    json items = json::array();
    for (const auto& p : rows) {
      json item = payment_json(p, *ctx_.engine, mask);
      // The fine beside the proof, so an officer can compare the amount on the receipt.
      auto fines = ctx_.engine->with_store([&](storage::EngineStore& store) { return store.fines_by_register(p.register_no); });
      if (!fines.empty()) {
        const auto& f = fines.front();
        item["fine"] = {{"register_no", f.register_no},
                        {"plate", f.plate},
                        {"violator_name", mask ? mask_name(f.violator_name) : f.violator_name},
                        {"article", f.article},
                        {"fine_amount", f.fine_amount},
                        {"court_fee", f.court_fee},
                        {"total", f.fine_amount + f.court_fee},
                        {"status", f.status}};
      }
      items.push_back(std::move(item));
    }
    audit(caller, r, "view_payments", state);
    return json_response(r, http::status::ok, json{{"items", items}});
  }

  Response decide_payment(const Request& r, const ApiCaller& caller) {
    const auto parts = segments_after(target_path(r.target()), "/api/v1/payments/");
    if (parts.size() != 2 || (parts[1] != "verify" && parts[1] != "reject")) {
      return error_response(r, http::status::not_found, "use /api/v1/payments/{id}/verify or /reject");
    }
    std::int64_t id = 0;
    try {
      std::size_t used = 0;
      id = std::stoll(parts[0], &used);
      if (used != parts[0].size()) throw std::invalid_argument("id");
    } catch (const std::exception&) {
      return error_response(r, http::status::not_found, "payment id must be a number");
    }
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
    const bool verify = parts[1] == "verify";
    const std::string reason = string_field(*body, "reason");
    if (!verify && reason.empty()) {
      return error_response(r, http::status::bad_request, "a rejection needs a reason (the violator is told it)");
    }
    const EngineResult result = ctx_.engine->decide_payment(id, verify, reason, caller.name);
    if (result != EngineResult::done) {
      const char* why = result == EngineResult::not_found  ? "no such payment"
                        : result == EngineResult::conflict ? "payment is not pending (already decided)"
                                                           : "could not record the decision";
      return error_response(r, status_of(result), why);
    }
    audit(caller, r, verify ? "payment_verify" : "payment_reject", std::to_string(id));
    auto payment = ctx_.engine->with_store([&](storage::EngineStore& store) { return store.payment_by_id(id); });
    if (!payment) return error_response(r, http::status::not_found, "no such payment");
    return json_response(r, http::status::ok, payment_json(*payment, *ctx_.engine, !sees_personal_data(caller.role)));
  }

  Response report(const Request& r, const ApiCaller& caller) {
    const bool mask = !sees_personal_data(caller.role);
    const auto parts = segments_after(target_path(r.target()), "/api/v1/reports/");
    if (parts.empty()) return error_response(r, http::status::not_found, "use /api/v1/reports/{report_no}");
    auto report_no = flows::normalise_reference(parts[0], "KDN");
    if (!report_no) return error_response(r, http::status::not_found, "not a report number KDN-YYYYMMDD-NNNN");

    if (r.method() == http::verb::get) {
      if (parts.size() != 1) return error_response(r, http::status::not_found, "unknown report resource");
      auto row = ctx_.engine->with_store([&](storage::EngineStore& store) { return store.report(*report_no); });
      if (!row) return error_response(r, http::status::not_found, "no such report");
      audit(caller, r, "view_report", *report_no);
      return json_response(r, http::status::ok, report_json(*row, *ctx_.engine, mask));
    }
    if (parts.size() != 2 || parts[1] != "status") {
      return error_response(r, http::status::not_found, "use POST /api/v1/reports/{report_no}/status");
    }
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
    const std::string status = string_field(*body, "status");
    const EngineResult result = ctx_.engine->set_report_status(*report_no, status, string_field(*body, "note"));
    if (result == EngineResult::invalid) {
      return error_response(r, http::status::bad_request, "status must be received, in_progress, done or rejected");
    }
    if (result != EngineResult::done) {
      return error_response(r, status_of(result),
                            result == EngineResult::not_found ? "no such report" : "could not update the report");
    }
    audit(caller, r, "report_status", *report_no + " " + status);
    auto row = ctx_.engine->with_store([&](storage::EngineStore& store) { return store.report(*report_no); });
    if (!row) return error_response(r, http::status::not_found, "no such report");
    return json_response(r, http::status::ok, report_json(*row, *ctx_.engine, mask));
  }

  Response shipment_dispatched(const Request& r) {
    const auto parts = segments_after(target_path(r.target()), "/api/v1/shipments/");
    if (parts.size() != 2 || parts[1] != "dispatched") {
      return error_response(r, http::status::not_found, "use POST /api/v1/shipments/{id}/dispatched");
    }
    std::int64_t id = 0;
    try {
      id = std::stoll(parts[0]);
    } catch (const std::exception&) {
      return error_response(r, http::status::not_found, "shipment id must be a number");
    }
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
    const EngineResult result = ctx_.engine->shipment_dispatched(id, string_field(*body, "tracking_no"));
    if (result != EngineResult::done) {
      return error_response(r, status_of(result),
                            result == EngineResult::not_found ? "no such shipment"
                                                              : "shipment is not waiting for dispatch");
    }
    return json_response(r, http::status::ok, json{{"id", id}, {"state", "dispatched"}});
  }

 private:
  ApiAuth authenticate(const Request& r) const {
    const auto header = r[http::field::authorization];
    constexpr std::string_view scheme = "Bearer ";
    const bool bearer = header.size() > scheme.size() && header.substr(0, scheme.size()) == scheme;
    const std::string_view token = bearer ? std::string_view(header.data() + scheme.size(), header.size() - scheme.size())
                                          : std::string_view();
    if (bearer && !ctx_.api_token.empty() && same_secret(token, ctx_.api_token)) return {ApiCaller{"api", "admin"}};
    if (ctx_.authenticate_request) return ctx_.authenticate_request(r);
    if (bearer && ctx_.authenticate) return {ctx_.authenticate(token)};
    return {};
  }

  ApiContext ctx_;
};

}  // namespace

void install_api_routes(Router& router, ApiContext context) {
  if (context.engine == nullptr) throw std::invalid_argument("install_api_routes: engine is required");
  auto api = std::make_shared<Api>(std::move(context));
  router.add(http::verb::post, "/api/v1/fines", "api_fines", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, Role::admin, [&](const Request& req, const ApiCaller& caller) {
      api->audit(caller, req, "import_fines", "");
      return api->post_fines(req);
    });
  });
  // The exact list route goes before the prefix route, which would also match "/api/v1/payments".
  router.add(http::verb::get, "/api/v1/payments", "api_payments", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, Role::agent,
                 [&](const Request& req, const ApiCaller& caller) { return api->list_payments(req, caller); });
  });
  router.add(http::verb::post, "/api/v1/payments/", "api_payment_decision", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, Role::agent,
                 [&](const Request& req, const ApiCaller& caller) { return api->decide_payment(req, caller); });
  });
  for (auto method : {http::verb::get, http::verb::post}) {
    router.add(method, "/api/v1/reports/", "api_reports", [api](Request&& r, Respond respond) {
      api->guarded(std::move(r), respond, Role::agent,
                   [&](const Request& req, const ApiCaller& caller) { return api->report(req, caller); });
    });
  }
  router.add(http::verb::post, "/api/v1/shipments/", "api_shipments", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, Role::supervisor, [&](const Request& req, const ApiCaller& caller) {
      api->audit(caller, req, "shipment_dispatched", std::string(target_path(req.target())));
      return api->shipment_dispatched(req);
    });
  });
}

}  // namespace tilang::bot

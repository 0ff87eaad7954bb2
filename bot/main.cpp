// tilangbot: the composition root. Parses the command line and hands over to the service or a tool.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "bot/agent_admin.hpp"
#include "bot/chat.hpp"
#include "bot/config.hpp"
#include "bot/etle_import.hpp"
#include "bot/fines_import.hpp"
#include "bot/log.hpp"
#include "bot/service.hpp"
#include "storage/store.hpp"

namespace {

int fail(const std::string& reason) {
  std::fprintf(stderr, "tilangbot: %s\n", reason.c_str());
  return 1;
}

tilang::bot::Config config_or_exit(bool demo, int& exit_code) {
  auto result = tilang::bot::load_config(tilang::bot::process_env(), demo);
  if (!result.config) {
    exit_code = fail(result.error);
    return {};
  }
  exit_code = 0;
  return *result.config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tilangbot: WhatsApp service for traffic fines (tilang), payment proofs, pickups and reports"};
  app.require_subcommand(1);

  bool demo = false;
  auto* serve = app.add_subcommand("serve", "Run the service");
  serve->add_flag("--demo", demo, "Sandbox Graph API, demo data and demo secrets");

  auto* migrate = app.add_subcommand("migrate", "Apply database migrations and exit");

  auto* import = app.add_subcommand("import", "Load data files (CSV)");
  import->require_subcommand(1);
  std::string fines_file;
  auto* import_fines = import->add_subcommand("fines", "Upsert fines from a CSV file (idempotent by register_no)");
  import_fines->add_option("file", fines_file, "CSV file")->required();
  std::string etle_file;
  auto* import_etle =
      import->add_subcommand("etle", "Enqueue e-TLE notices from a CSV file for the confirmation push (idempotent by notice_id)");
  import_etle->add_option("file", etle_file, "CSV file")->required();

  auto* agent = app.add_subcommand("agent", "Manage help-desk console accounts");
  agent->require_subcommand(1);
  std::string agent_user;
  std::string agent_role;
  auto* agent_add = agent->add_subcommand("add", "Create (or reset) a console account; the password is read from stdin");
  agent_add->add_option("user", agent_user, "Username (a-z, 0-9, . _ -)")->required();
  agent_add->add_option("--role", agent_role, "agent, supervisor or admin")->required();
  auto* agent_disable = agent->add_subcommand("disable", "Disable a console account and end its sessions");
  agent_disable->add_option("user", agent_user, "Username")->required();

  std::string chat_as = "6281200000001";
  auto* chat = app.add_subcommand("chat", "Chat with a running service as a WhatsApp user (demo sandbox)");
  chat->add_option("--as", chat_as, "The WhatsApp number you chat as (digits, 628...)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (serve->parsed()) {
      int code = 0;
      auto config = config_or_exit(demo, code);
      if (code != 0) return code;
      tilang::bot::Service service(config);
      service.start();
      service.run_until_signal();
      return 0;
    }
    if (migrate->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      int version = tilang::storage::migrate_sqlite(config.db_path);
      std::printf("database %s at schema version %d\n", config.db_path.c_str(), version);
      return 0;
    }
    if (import_fines->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      return tilang::bot::run_import_fines(config.db_path, fines_file, config.phone_number_id, std::cout, std::cerr);
    }
    if (import_etle->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      return tilang::bot::run_import_etle(config.db_path, etle_file, tilang::bot::etle_import_options(config), std::cout,
                                          std::cerr);
    }
    if (agent_add->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      return tilang::bot::run_agent_add(config.db_path, agent_user, agent_role, std::cin, std::cout, std::cerr);
    }
    if (agent_disable->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      return tilang::bot::run_agent_disable(config.db_path, agent_user, std::cout, std::cerr);
    }
    if (chat->parsed()) {
      int code = 0;
      auto config = config_or_exit(true, code);
      if (code != 0) return code;
      tilang::bot::ChatOptions options;
      options.host = config.listen_host;
      options.port = std::to_string(config.listen_port);
      options.app_secret = config.app_secret;
      options.phone_number_id = config.phone_number_id;
      options.wa_id = chat_as;
      return tilang::bot::run_chat(options, std::cin, std::cout);
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 2;
}

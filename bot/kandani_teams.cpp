#include "bot/kandani_teams.hpp"

#include <algorithm>

namespace tilang::bot {

const std::vector<KandaniTeam>& kandani_teams() {
  static const std::vector<KandaniTeam> teams{
      {"laka", "Laka — kecelakaan lalu lintas"},
      {"reskrim", "Reskrim — kriminalitas, kekerasan"},
      {"samapta", "Samapta — gangguan kamtibmas"},
      {"umum", "Umum — lainnya"},
  };
  return teams;
}

std::string team_for(std::string_view category) {
  if (category == "kecelakaan") return "laka";
  if (category == "kriminalitas" || category == "kekerasan") return "reskrim";
  if (category == "kamtibmas") return "samapta";
  return "umum";
}

bool is_kandani_team(std::string_view id) {
  const auto& teams = kandani_teams();
  return std::any_of(teams.begin(), teams.end(), [&](const KandaniTeam& t) { return t.id == id; });
}

}  // namespace tilang::bot

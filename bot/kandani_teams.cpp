#include "bot/kandani_teams.hpp"

#include <algorithm>

namespace tilang::bot {

const std::vector<KandaniTeam>& kandani_teams() {
  static const std::vector<KandaniTeam> teams{
      {"laka", "Laka — kecelakaan lalu lintas", {"kecelakaan"}},
      {"reskrim", "Reskrim — kriminalitas, kekerasan", {"kriminalitas", "kekerasan"}},
      {"samapta", "Samapta — gangguan kamtibmas", {"kamtibmas"}},
      {"umum", "Umum — lainnya", {}},
  };
  return teams;
}

std::string team_for(std::string_view category) {
  const auto& teams = kandani_teams();
  for (const KandaniTeam& team : teams) {
    if (std::find(team.categories.begin(), team.categories.end(), category) != team.categories.end()) return team.id;
  }
  return teams.back().id;
}

bool is_kandani_team(std::string_view id) {
  const auto& teams = kandani_teams();
  return std::any_of(teams.begin(), teams.end(), [&](const KandaniTeam& t) { return t.id == id; });
}

}  // namespace tilang::bot

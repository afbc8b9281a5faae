#include "lab/reference_daemon.h"

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lab/daemon_config.h"

namespace halink::lab {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// `show protocols`: "bgp_r1_g1  BGP  ---  up  01:30:00.123  Established";
// `show bfd sessions`: "169.254.21.1  r1-g1  Up  01:30:00.123  0.100  0.300".
Result<std::vector<ReferenceSession>> bird_sessions(const config::RouterConfig& router, const std::string& dir) {
  std::string socket = dir + "/bird.ctl";
  auto protocols = run_command(birdc_argv(socket, "show protocols"));
  if (!protocols) return Error{protocols.message()};
  auto bfd = run_command(birdc_argv(socket, "show bfd sessions"));
  std::vector<ReferenceSession> sessions;
  for (const config::Neighbor& n : router.neighbors) {
    ReferenceSession s{n.name, "", ""};
    std::string protocol = bird_protocol_name(n);
    for (const std::string& line : lines_of(*protocols)) {
      auto words = words_of(line);
      if (words.size() >= 4 && words[0] == protocol) {
        // Info after the date ("Established", "Active", "Connect", ...);
        // the date's width depends on BIRD's timeformat, so search for it.
        bool established = std::find(words.begin(), words.end(), "Established") != words.end();
        s.bgp_state = established ? "Established" : words.back();
        break;
      }
    }
    if (n.bfd && bfd)
      for (const std::string& line : lines_of(*bfd)) {
        auto words = words_of(line);
        if (words.size() >= 3 && words[0] == n.address.to_string()) s.bfd_state = words[2];
      }
    sessions.push_back(s);
  }
  return sessions;
}

nlohmann::json json_of(const Result<std::string>& text) {
  if (!text) return nlohmann::json();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// `show bgp neighbors json`: {"169.254.21.1": {"bgpState": "Established"}};
// `show bfd peers json`: [{"peer": "169.254.21.1", "status": "up"}].
Result<std::vector<ReferenceSession>> frr_sessions(const config::RouterConfig& router, const std::string& dir) {
  auto neighbors_text = run_command(vtysh_argv(dir, "show bgp neighbors json"));
  if (!neighbors_text) return Error{neighbors_text.message()};
  nlohmann::json neighbors = json_of(neighbors_text);
  if (!neighbors.is_object()) return Error{"bgpd in " + dir + " gave no neighbour table"};
  nlohmann::json bfd = json_of(run_command(vtysh_argv(dir, "show bfd peers json")));
  std::vector<ReferenceSession> sessions;
  for (const config::Neighbor& n : router.neighbors) {
    ReferenceSession s{n.name, "", ""};
    std::string address = n.address.to_string();
    if (neighbors.contains(address) && neighbors[address].is_object())
      s.bgp_state = neighbors[address].value("bgpState", "");
    if (n.bfd && bfd.is_array())
      for (const nlohmann::json& peer : bfd)
        if (peer.is_object() && peer.value("peer", "") == address) {
          std::string status = peer.value("status", "");
          // FRR says "up"/"down"/"init"/"shutdown"; RFC 5880 names them Up, Down, Init, AdminDown.
          s.bfd_state = status == "up" ? "Up" : status == "init" ? "Init" : status == "shutdown" ? "AdminDown" : "Down";
        }
    sessions.push_back(s);
  }
  return sessions;
}

}  // namespace

std::string missing_reference_binaries(config::DaemonKind daemon) {
  std::vector<const char*> binaries;
  if (daemon == config::DaemonKind::bird) binaries = {bird_binary, birdc_binary};
  if (daemon == config::DaemonKind::frr) binaries = {zebra_binary, bfdd_binary, bgpd_binary, vtysh_binary};
  std::string missing;
  for (const char* binary : binaries)
    if (access(binary, X_OK) != 0) missing += (missing.empty() ? "" : " ") + std::string(binary);
  return missing;
}

Argv bird_argv(const std::string& config_file, const std::string& socket) {
  return {bird_binary, "-f", "-c", config_file, "-s", socket};
}

Argv birdc_argv(const std::string& socket, const std::string& command) {
  Argv argv{birdc_binary, "-s", socket};
  for (const std::string& word : words_of(command)) argv.push_back(word);
  return argv;
}

Argv frr_daemon_argv(const std::string& daemon, const std::string& dir) {
  std::string binary = daemon == "zebra" ? zebra_binary : daemon == "bfdd" ? bfdd_binary : bgpd_binary;
  Argv argv{binary, "--vty_socket", dir, "-i", dir + "/" + daemon + ".pid", "-z", dir + "/zserv.api",
            "-f", dir + "/" + daemon + ".conf", "-P", "0"};
  if (daemon == "bfdd") argv.insert(argv.end(), {"--bfdctl", dir + "/bfdd.sock"});
  return argv;
}

std::string frr_vty_socket(const std::string& daemon, const std::string& dir) { return dir + "/" + daemon + ".vty"; }

Argv vtysh_argv(const std::string& dir, const std::string& command) {
  return {vtysh_binary, "--vty_socket", dir, "-c", command};
}

Result<std::vector<ReferenceSession>> query_reference_sessions(const config::RouterConfig& router,
                                                               config::DaemonKind daemon, const std::string& dir) {
  if (daemon == config::DaemonKind::bird) return bird_sessions(router, dir);
  if (daemon == config::DaemonKind::frr) return frr_sessions(router, dir);
  return Error{"router " + router.name + " runs halinkd: ask its control socket"};
}

}  // namespace halink::lab

#include "peer_daemons.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/reference_daemon.h"

namespace halink::interop {

namespace fs = std::filesystem;

namespace {
nlohmann::json parse_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// j[key] as a string, "" when j is no object or lacks it (a half-read state).
std::string text_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

}  // namespace

// ---------------------------------------------------------------- peers

namespace {
// BIRD's and FRR's binaries and command lines are the lab's (lab/reference_daemon.h).
using lab::bfdd_binary;
using lab::bgpd_binary;
using lab::bird_binary;
using lab::birdc_binary;
using lab::vtysh_binary;
using lab::zebra_binary;
constexpr const char* gobgpd_binary = "/usr/bin/gobgpd";
constexpr const char* gobgp_binary = "/usr/bin/gobgp";

std::vector<const char*> binaries_of(PeerKind kind) {
  switch (kind) {
    case PeerKind::bird: return {bird_binary, birdc_binary};
    case PeerKind::frr: return {zebra_binary, bfdd_binary, bgpd_binary, vtysh_binary};
    case PeerKind::gobgp: return {gobgpd_binary, gobgp_binary};
  }
  return {};
}

// The session(s) a peer has with halinkd: IPv4, and IPv6 when configured.
struct PeerSession {
  std::string local_address, halinkd_address;
  bool ipv6;
};
std::vector<PeerSession> sessions_of(const PeerSpec& spec) {
  std::vector<PeerSession> sessions{{spec.local_address, spec.halinkd_address, false}};
  if (!spec.halinkd_address6.empty()) sessions.push_back({spec.local_address6, spec.halinkd_address6, true});
  return sessions;
}
bool is_ipv6(const std::string& prefix) { return prefix.find(':') != std::string::npos; }

// "65001 65001 {65003}" → 65001 65001 65003.
std::vector<uint32_t> as_numbers_in(const std::string& text) {
  std::vector<uint32_t> asns;
  std::string digits;
  for (char c : text + " ") {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      asns.push_back(static_cast<uint32_t>(std::stoul(digits)));
      digits.clear();
    }
  }
  return asns;
}

// ---- BIRD 2
class BirdPeer final : public PeerDaemon {
public:
  BirdPeer(PeerSpec spec, fs::path dir) : spec_(std::move(spec)), dir_(std::move(dir)) {}
  PeerKind kind() const override { return PeerKind::bird; }

  bool start(std::string& error) override {
    std::string statics4, statics6;
    for (auto& n : spec_.networks) (is_ipv6(n) ? statics6 : statics4) += "  route " + n + " blackhole;\n";
    std::string conf = "router id " + spec_.router_id + ";\n" + "log \"" + (dir_ / "bird.log").string() +
                       "\" all;\n"
                       "protocol device { scan time 1; }\n"
                       "protocol static static4 {\n  ipv4;\n" + statics4 + "}\n"
                       "protocol static static6 {\n  ipv6;\n" + statics6 + "}\n";
    if (spec_.bfd_interval_ms) {
      std::string interval = std::to_string(spec_.bfd_interval_ms) + " ms";
      conf += "protocol bfd {\n  interface \"" + spec_.interface + "\" {\n    min rx interval " + interval +
              ";\n    min tx interval " + interval + ";\n    idle tx interval " + interval +
              ";\n    multiplier 3;\n  };\n}\n";
    }
    for (const PeerSession& s : sessions_of(spec_)) {
      // BIRD's defaults keep a dropped session down for a minute or more
      // (connect delay 5 s, error wait 60-300 s): shortened as the lab notes say.
      conf += "protocol bgp " + protocol(s.ipv6) + " {\n"
              "  local " + s.local_address + " as " + std::to_string(spec_.local_as) + ";\n"
              "  neighbor " + s.halinkd_address + " as " + std::to_string(spec_.halinkd_as) + ";\n"
              "  hold time " + std::to_string(spec_.hold_time) + ";\n"
              "  keepalive time " + std::to_string(spec_.keepalive) + ";\n"
              "  connect delay time 1;\n  connect retry time 1;\n"
              "  error wait time 1, 2;\n  error forget time 10;\n" +
              (spec_.bfd_interval_ms && !s.ipv6 ? "  bfd on;\n" : "") +
              (!spec_.md5_password.empty() && !s.ipv6 ? "  password \"" + spec_.md5_password + "\";\n" : "") +
              (spec_.ttl_security && !s.ipv6 ? "  ttl security on;\n" : "") +
              "  " + (s.ipv6 ? "ipv6" : "ipv4") + " { import all; export all; };\n"
              "}\n";
    }
    write_file(dir_ / "bird.conf", conf);
    process_ =
        Process(in_namespace(spec_.namespace_name, lab::bird_argv((dir_ / "bird.conf").string(), socket().string())),
                dir_ / "bird.out");
    if (!wait_until([&] { return !process_.running() || birdc("show status").ok(); }, 5s) || !process_.running()) {
      error = "BIRD did not start\n" + diagnostics();
      return false;
    }
    return true;
  }
  void stop() override { process_.stop(); }
  bool running() override { return process_.running(); }

  bool established() override {
    for (const PeerSession& s : sessions_of(spec_))
      if (birdc("show protocols " + protocol(s.ipv6)).output.find("Established") == std::string::npos) return false;
    return true;
  }
  bool has_route_from_halinkd(const std::string& prefix) override {
    // "10.1.0.0/16   unicast [halinkd 20:00:01.000] * (100) [AS65001i]"
    std::string p = protocol(is_ipv6(prefix));
    std::string out = birdc("show route " + prefix + " protocol " + p).output;
    return out.find(prefix) != std::string::npos && out.find("[" + p + " ") != std::string::npos;
  }
  std::vector<uint32_t> as_path_from_halinkd(const std::string& prefix) override {
    // "	BGP.as_path: 65001 65001 65001"
    std::istringstream lines(birdc("show route " + prefix + " protocol " + protocol(is_ipv6(prefix)) + " all").output);
    for (std::string line; std::getline(lines, line);)
      if (auto at = line.find("BGP.as_path:"); at != std::string::npos) return as_numbers_in(line.substr(at + 12));
    return {};
  }
  // "10.0.1.1   veth-h   Up   20:00:01.000   0.100   0.300"
  bool bfd_up() override {
    std::istringstream lines(birdc("show bfd sessions").output);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(spec_.halinkd_address + " ", 0) == 0) return line.find(" Up ") != std::string::npos;
    return false;
  }
  // `show protocols all`: "  Message:        TEXT" under the protocol line.
  std::string received_shutdown_message() override {
    std::istringstream lines(birdc("show protocols all halinkd").output);
    for (std::string line; std::getline(lines, line);) {
      auto at = line.find("Message:");
      if (at == std::string::npos) continue;
      auto text = line.find_first_not_of(' ', at + 8);
      return text == std::string::npos ? "" : line.substr(text);
    }
    return "";
  }
  std::string diagnostics() override {
    return birdc("show protocols all").output + tail_of(dir_ / "bird.log") + tail_of(dir_ / "bird.out", 10);
  }

private:
  static std::string protocol(bool ipv6) { return ipv6 ? "halinkd6" : "halinkd"; }
  fs::path socket() const { return dir_ / "bird.ctl"; }
  CommandResult birdc(const std::string& command) const {
    return run_command(std::string(birdc_binary) + " -s " + socket().string() + " " + command);
  }
  PeerSpec spec_;
  fs::path dir_;
  Process process_;
};

// ---- FRR: zebra, then bgpd (the order the lab notes ask for)
class FrrPeer final : public PeerDaemon {
public:
  FrrPeer(PeerSpec spec, fs::path dir) : spec_(std::move(spec)), dir_(std::move(dir)) {}
  ~FrrPeer() override { stop(); }
  PeerKind kind() const override { return PeerKind::frr; }

  bool start(std::string& error) override {
    std::string hold = std::to_string(spec_.hold_time), keepalive = std::to_string(spec_.keepalive);
    write_file(dir_ / "zebra.conf", "hostname " + spec_.name + "-zebra\n");
    // ebgp-requires-policy off: the test is about the protocol, not RFC 8212
    // policy on FRR's side. import-check off: the networks need no IGP route.
    std::string conf = "frr defaults traditional\n"
                       "hostname " + spec_.name + "\n"
                       "log stdout informational\n"
                       "router bgp " + std::to_string(spec_.local_as) + "\n"
                       " bgp router-id " + spec_.router_id + "\n"
                       " no bgp default ipv4-unicast\n"
                       " no bgp ebgp-requires-policy\n"
                       " no bgp network import-check\n"
                       " timers bgp " + keepalive + " " + hold + "\n";
    for (const PeerSession& s : sessions_of(spec_))
      conf += " neighbor " + s.halinkd_address + " remote-as " + std::to_string(spec_.halinkd_as) + "\n" +
              " neighbor " + s.halinkd_address + " timers connect 1\n";
    if (spec_.bfd_interval_ms)
      conf += " neighbor " + spec_.halinkd_address + " bfd\n neighbor " + spec_.halinkd_address +
              " bfd profile halinkd\n";
    if (!spec_.md5_password.empty())
      conf += " neighbor " + spec_.halinkd_address + " password " + spec_.md5_password + "\n";
    if (spec_.ttl_security) conf += " neighbor " + spec_.halinkd_address + " ttl-security hops 1\n";
    for (bool ipv6 : {false, true}) {
      conf += std::string(" address-family ") + (ipv6 ? "ipv6" : "ipv4") + " unicast\n";
      for (auto& n : spec_.networks)
        if (is_ipv6(n) == ipv6) conf += "  network " + n + "\n";
      for (const PeerSession& s : sessions_of(spec_))
        if (s.ipv6 == ipv6) conf += "  neighbor " + s.halinkd_address + " activate\n";
      conf += " exit-address-family\n";
    }
    write_file(dir_ / "bgpd.conf", conf);
    std::string interval = std::to_string(spec_.bfd_interval_ms);
    write_file(dir_ / "bfdd.conf", spec_.bfd_interval_ms ? "bfd\n profile halinkd\n  detect-multiplier 3\n"
                                                           "  receive-interval " + interval + "\n"
                                                           "  transmit-interval " + interval + "\n"
                                                           " !\n!\n"
                                                         : "");
    // The daemons drop to the frr user (root is not in the frrvty group the
    // package was built with), so every path is inside the world-writable dir.
    auto command = [&](const std::string& daemon) {
      return in_namespace(spec_.namespace_name, lab::frr_daemon_argv(daemon, dir_.string()));
    };
    zebra_ = Process(command("zebra"), dir_ / "zebra.log");
    if (!wait_until([&] { return !zebra_.running() || fs::exists(dir_ / "zserv.api"); }, 5s) || !zebra_.running()) {
      error = "zebra did not start\n" + diagnostics();
      return false;
    }
    // bfdd before bgpd, or BFD sessions come up ~10 s late and flap (lab notes).
    bfdd_ = Process(command("bfdd"), dir_ / "bfdd.log");
    if (!wait_until([&] { return !bfdd_.running() || vtysh("show bfd peers json").ok(); }, 5s) ||
        !bfdd_.running()) {
      error = "bfdd did not start\n" + diagnostics();
      return false;
    }
    bgpd_ = Process(command("bgpd"), dir_ / "bgpd.log");
    if (!wait_until([&] { return !bgpd_.running() || vtysh("show bgp summary json").ok(); }, 5s) ||
        !bgpd_.running()) {
      error = "bgpd did not start\n" + diagnostics();
      return false;
    }
    return true;
  }
  void stop() override {
    bgpd_.stop();
    bfdd_.stop();
    zebra_.stop();
  }
  bool running() override { return bgpd_.running() && bfdd_.running() && zebra_.running(); }

  // [{"peer": "10.0.1.1", "status": "up", ...}]
  bool bfd_up() override {
    auto j = parse_json(vtysh("show bfd peers json").output);
    if (!j.is_array()) return false;
    for (auto& p : j)
      if (text_of(p, "peer") == spec_.halinkd_address) return text_of(p, "status") == "up";
    return false;
  }

  bool established() override {
    for (const PeerSession& s : sessions_of(spec_)) {
      auto j = parse_json(vtysh("show bgp neighbors " + s.halinkd_address + " json").output);
      if (!j.is_object() || text_of(j[s.halinkd_address], "bgpState") != "Established") return false;
    }
    return true;
  }
  bool has_route_from_halinkd(const std::string& prefix) override { return path_from_halinkd(prefix).is_object(); }
  std::vector<uint32_t> as_path_from_halinkd(const std::string& prefix) override {
    auto path = path_from_halinkd(prefix);
    if (!path.is_object() || !path.contains("aspath")) return {};
    return as_numbers_in(text_of(path["aspath"], "string"));
  }
  std::string received_shutdown_message() override {
    auto j = parse_json(vtysh("show bgp neighbors " + spec_.halinkd_address + " json").output);
    if (!j.is_object() || !j.contains(spec_.halinkd_address)) return "";
    auto& n = j[spec_.halinkd_address];
    if (text_of(n, "lastNotificationReason") != "Cease/Administrative Shutdown") return "";
    return text_of(n, "lastShutdownDescription");
  }
  std::string diagnostics() override {
    return vtysh("show bgp summary").output + vtysh("show bfd peers").output + tail_of(dir_ / "zebra.log", 10) +
           tail_of(dir_ / "bfdd.log", 10) + tail_of(dir_ / "bgpd.log");
  }

private:
  // The path to `prefix` learned from halinkd, null if none.
  nlohmann::json path_from_halinkd(const std::string& prefix) const {
    bool ipv6 = is_ipv6(prefix);
    auto j = parse_json(vtysh(std::string("show bgp ") + (ipv6 ? "ipv6" : "ipv4") + " unicast " + prefix + " json").output);
    if (!j.is_object() || !j.contains("paths")) return {};
    for (const PeerSession& s : sessions_of(spec_))
      if (s.ipv6 == ipv6)
        for (auto& p : j["paths"])
          if (p.contains("peer") && text_of(p["peer"], "peerId") == s.halinkd_address) return p;
    return {};
  }
  CommandResult vtysh(const std::string& command) const {
    return run_in(spec_.namespace_name,
                  std::string(vtysh_binary) + " --vty_socket " + dir_.string() + " -c " + shell_quoted(command));
  }
  PeerSpec spec_;
  fs::path dir_;
  Process zebra_, bfdd_, bgpd_;
};

// ---- GoBGP
class GobgpPeer final : public PeerDaemon {
public:
  GobgpPeer(PeerSpec spec, fs::path dir) : spec_(std::move(spec)), dir_(std::move(dir)) {}
  PeerKind kind() const override { return PeerKind::gobgp; }

  bool start(std::string& error) override {
    std::string conf = "[global.config]\n"
                       "  as = " + std::to_string(spec_.local_as) + "\n"
                       "  router-id = \"" + spec_.router_id + "\"\n";
    for (const PeerSession& s : sessions_of(spec_))
      conf += "[[neighbors]]\n"
              "  [neighbors.config]\n"
              "    neighbor-address = \"" + s.halinkd_address + "\"\n"
              "    peer-as = " + std::to_string(spec_.halinkd_as) + "\n" +
              (!spec_.md5_password.empty() && !s.ipv6 ? "    auth-password = \"" + spec_.md5_password + "\"\n" : "") +
              (spec_.ttl_security && !s.ipv6 ? "  [neighbors.ttl-security.config]\n"
                                               "    enabled = true\n"
                                               "    ttl-min = 255\n"
                                             : "") +
              "  [neighbors.timers.config]\n"
              "    connect-retry = 1\n"
              "    idle-hold-time-after-reset = 1\n"
              "    hold-time = " + std::to_string(spec_.hold_time) + "\n"
              "    keepalive-interval = " + std::to_string(spec_.keepalive) + "\n"
              "  [[neighbors.afi-safis]]\n"
              "    [neighbors.afi-safis.config]\n"
              "      afi-safi-name = \"" + (s.ipv6 ? "ipv6" : "ipv4") + "-unicast\"\n";
    write_file(dir_ / "gobgpd.toml", conf);
    process_ = Process(in_namespace(spec_.namespace_name,
                                    {gobgpd_binary, "-f", (dir_ / "gobgpd.toml").string(), "-p",
                                     "--api-hosts", "127.0.0.1:50051", "--pprof-disable"}),
                       dir_ / "gobgpd.log");
    if (!wait_until([&] { return !process_.running() || gobgp("global").ok(); }, 5s) || !process_.running()) {
      error = "gobgpd did not start\n" + diagnostics();
      return false;
    }
    for (auto& n : spec_.networks) {
      // No next hop given: GoBGP puts its session address in for an eBGP peer.
      if (auto r = gobgp(std::string("global rib add -a ") + family(n) + " " + n); !r.ok()) {
        error = "gobgp could not originate " + n + ": " + r.output;
        return false;
      }
    }
    return true;
  }
  void stop() override { process_.stop(); }
  bool running() override { return process_.running(); }

  bool established() override {
    for (const PeerSession& s : sessions_of(spec_)) {
      auto j = parse_json(gobgp("neighbor " + s.halinkd_address + " -j").output);
      if (!j.is_object() || !j.contains("state") || !j["state"].is_object()) return false;
      auto state = j["state"].value("session_state", nlohmann::json());
      // gobgp prints the API enum: a name in some versions, a number (6) in others.
      if (!(state == "established" || state == "ESTABLISHED" || state == 6)) return false;
    }
    return true;
  }
  bool has_route_from_halinkd(const std::string& prefix) override { return path_from_halinkd(prefix).is_object(); }
  bool bfd_up() override { return false; }  // GoBGP has no BFD
  // attrs: [{"type": 2, "as_paths": [{"segment_type": 2, "num": 3, "asns": [65001, ...]}]}, ...]
  std::vector<uint32_t> as_path_from_halinkd(const std::string& prefix) override {
    std::vector<uint32_t> asns;
    auto path = path_from_halinkd(prefix);
    if (!path.is_object() || !path.contains("attrs") || !path["attrs"].is_array()) return asns;
    for (auto& a : path["attrs"]) {
      if (!a.is_object() || a.value("type", 0) != 2 || !a.contains("as_paths")) continue;
      for (auto& segment : a["as_paths"])
        if (segment.is_object() && segment.contains("asns"))
          for (auto& asn : segment["asns"]) asns.push_back(asn.get<uint32_t>());
    }
    return asns;
  }
  // GoBGP's API keeps no received NOTIFICATION; its log does:
  // msg="received notification" Code=6 Communicated-Reason="TEXT" ... Subcode=2
  std::string received_shutdown_message() override {
    std::ifstream log(dir_ / "gobgpd.log");
    std::string message;
    const std::string key = "Communicated-Reason=\"";
    for (std::string line; std::getline(log, line);) {
      if (line.find("received notification") == std::string::npos || line.find("Code=6 ") == std::string::npos ||
          line.find("Subcode=2 ") == std::string::npos || line.find(spec_.halinkd_address + " ") == std::string::npos)
        continue;
      auto at = line.find(key);
      if (at == std::string::npos) continue;
      at += key.size();
      message = line.substr(at, line.find('"', at) - at);
    }
    return message;
  }
  std::string diagnostics() override { return gobgp("neighbor").output + tail_of(dir_ / "gobgpd.log"); }

private:
  static const char* family(const std::string& prefix) { return is_ipv6(prefix) ? "ipv6" : "ipv4"; }
  nlohmann::json path_from_halinkd(const std::string& prefix) const {
    auto j = parse_json(gobgp(std::string("global rib -a ") + family(prefix) + " " + prefix + " -j").output);
    if (!j.is_object() || !j.contains(prefix) || !j[prefix].is_array()) return {};
    for (const PeerSession& s : sessions_of(spec_))
      if (s.ipv6 == is_ipv6(prefix))
        for (auto& p : j[prefix])
          if (text_of(p, "neighbor-ip") == s.halinkd_address) return p;
    return {};
  }
  CommandResult gobgp(const std::string& args) const {
    return run_in(spec_.namespace_name, std::string(gobgp_binary) + " -u 127.0.0.1 -p 50051 " + args);
  }
  PeerSpec spec_;
  fs::path dir_;
  Process process_;
};
}  // namespace

const char* peer_kind_name(PeerKind kind) {
  switch (kind) {
    case PeerKind::bird: return "BIRD";
    case PeerKind::frr: return "FRR";
    case PeerKind::gobgp: return "GoBGP";
  }
  return "?";
}

bool peer_supports_bfd(PeerKind kind) { return kind != PeerKind::gobgp; }

std::string missing_binaries(PeerKind kind) {
  std::string missing;
  for (const char* b : binaries_of(kind))
    if (!is_executable(b)) missing += (missing.empty() ? "" : ", ") + std::string(b);
  return missing;
}

std::unique_ptr<PeerDaemon> make_peer(PeerKind kind, PeerSpec spec, fs::path dir) {
  switch (kind) {
    case PeerKind::bird: return std::make_unique<BirdPeer>(std::move(spec), std::move(dir));
    case PeerKind::frr: return std::make_unique<FrrPeer>(std::move(spec), std::move(dir));
    case PeerKind::gobgp: return std::make_unique<GobgpPeer>(std::move(spec), std::move(dir));
  }
  return nullptr;
}

// ---------------------------------------------------------------- halinkd

Halinkd::Halinkd(std::string namespace_name, fs::path dir)
    : namespace_(std::move(namespace_name)),
      dir_(std::move(dir)),
      config_(dir_ / "halinkd.yaml"),
      socket_(dir_ / "halinkd.sock"),
      log_(dir_ / "halinkd.log") {}

void Halinkd::write_config(const std::string& yaml) const { write_file(config_, yaml); }

bool Halinkd::start(std::string& error) {
  process_ = Process(in_namespace(namespace_, {HALINKD_BINARY, "-c", config_.string()}), log_);
  if (!wait_until([&] { return !process_.running() || cli("show status").ok(); }, 10s) || !process_.running()) {
    error = "halinkd did not start (exit status " + std::to_string(process_.exit_status()) + ")\n" + diagnostics();
    return false;
  }
  return true;
}

int Halinkd::stop() { return process_.stop(10s); }

CommandResult Halinkd::cli(const std::string& args) const {
  return run_command(std::string(HALINK_CLI_BINARY) + " -s " + socket_.string() + " " + args);
}

nlohmann::json Halinkd::show(const std::string& what) const {
  CommandResult r = cli("show " + what + " --json");
  return r.ok() ? parse_json(r.output) : nlohmann::json();
}

nlohmann::json Halinkd::neighbor(const std::string& name) const {
  auto j = show("neighbors");
  if (j.is_object() && j.contains("neighbors"))
    for (auto& n : j["neighbors"])
      if (text_of(n, "name") == name) return n;
  return nullptr;
}

std::string Halinkd::neighbor_state(const std::string& name) const {
  auto n = neighbor(name);
  return n.is_object() ? text_of(n, "state") : "";
}

std::string Halinkd::bfd_state(const std::string& name) const {
  auto j = show("bfd");
  if (!j.is_object() || !j.contains("sessions") || !j["sessions"].is_array()) return "";
  for (auto& s : j["sessions"])
    if (text_of(s, "name") == name) return text_of(s, "state");
  return "";
}

std::vector<std::string> Halinkd::route_next_hops(const std::string& prefix) const {
  std::vector<std::string> hops;
  auto j = show("routes");
  if (!j.is_object() || !j.contains("routes")) return hops;
  for (auto& r : j["routes"]) {
    if (text_of(r, "prefix") != prefix) continue;
    for (auto& h : r["next_hops"]) hops.push_back(text_of(h, "gateway"));
  }
  std::sort(hops.begin(), hops.end());
  return hops;
}

std::string Halinkd::diagnostics() const {
  return cli("show neighbors").output + tail_of(log_, 40);
}

}  // namespace halink::interop

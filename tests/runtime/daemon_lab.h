// Two halinkd (A, B) and a raw BGP sender (S) in three network namespaces:
//
//   S (raw sender, AS 65003)           halinkd A (AS 65001)          halinkd B (AS 65002)
//   10.0.2.2 ──── lvS/lvA2 ──── 10.0.2.1  ·  10.0.1.1 ──── lvA1/lvB ──── 10.0.1.2
//
// A knows S as neighbour "feed" (passive) and B as "b"; B knows A as "a".
// Both sessions A-B run BFD 50 ms x 3 and keepalive 1 s / hold 3 s. Every
// namespace, link and process is removed by destructors, also on failure.
#pragma once

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "../support/netns.h"
#include "peer_daemons.h"

namespace halink::testing {

using namespace std::chrono_literals;

inline std::string halinkd_config(const std::filesystem::path& socket, uint32_t as, const std::string& router_id,
                           const std::string& network, const std::string& neighbors) {
  return "local_as: " + std::to_string(as) + "\nrouter_id: " + router_id + "\nnetworks: [" + network +
         "]\ncontrol_socket: " + socket.string() + "\nneighbors:\n" + neighbors;
}

inline std::string neighbor(const std::string& name, const std::string& address, uint32_t as, const std::string& interface,
                     const std::string& extra) {
  return "  - name: " + name + "\n    address: " + address + "\n    remote_as: " + std::to_string(as) +
         "\n    interface: " + interface +
         "\n    hold_time: 3\n    keepalive: 1\n    connect_retry: 1\n    import: all\n    export: all\n" + extra;
}

inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lines of a log that say a session or BFD went down.
inline std::string downs_in(const std::filesystem::path& log) {
  std::istringstream in(read_file(log));
  std::string line, out;
  while (std::getline(in, line))
    if (line.find(" down: ") != std::string::npos || line.find("Up -> Down") != std::string::npos ||
        line.find("Hold Timer") != std::string::npos)
      out += line + "\n";
  return out;
}

inline size_t received_from(const interop::Halinkd& d, const std::string& name) {
  auto j = d.show("neighbors");
  if (!j.is_object() || !j.contains("neighbors")) return 0;
  for (auto& n : j["neighbors"])
    if (n.value("name", "") == name) return n.value("received_prefixes", size_t(0));
  return 0;
}

class DaemonLab {
public:
  DaemonLab()
      : ns_a_("live-a"), ns_b_("live-b"), ns_s_("live-s"), dir_("daemon-lab"), a_(ns_a_.name(), dir_.subdir("a")),
        b_(ns_b_.name(), dir_.subdir("b")) {}

  // Links, addresses, configurations; starts A and B and waits for their
  // session and BFD. `extra_feed` is added to A's "feed" neighbour.
  ::testing::AssertionResult start(const std::string& extra_feed = "") {
    if (!ns_a_.ok() || !ns_b_.ok() || !ns_s_.ok()) return ::testing::AssertionFailure() << "namespaces not created";
    std::string tag = std::to_string(getpid() % 100000);
    for (auto [here, there, ns] : {std::tuple{"lvA1", "lvB", &ns_b_}, std::tuple{"lvA2", "lvS", &ns_s_}}) {
      std::string h = here + tag, t = there + tag;
      if (!interop::run_command("ip link add " + h + " type veth peer name " + t + " && ip link set " + h +
                                " netns " + ns_a_.name() + " name " + here + " && ip link set " + t + " netns " +
                                ns->name() + " name " + there)
               .ok())
        return ::testing::AssertionFailure() << "veth " << h << " not created";
    }
    ns_a_.run("ip addr add 10.0.1.1/24 dev lvA1 && ip link set lvA1 up && ip addr add 10.0.2.1/24 dev lvA2 && "
              "ip link set lvA2 up");
    ns_b_.run("ip addr add 10.0.1.2/24 dev lvB && ip link set lvB up");
    ns_s_.run("ip addr add 10.0.2.2/24 dev lvS && ip link set lvS up");
    const std::string bfd = "    bfd: {interval_ms: 50, multiplier: 3}\n";
    a_.write_config(halinkd_config(a_.socket_path(), 65001, "10.255.0.1", "10.1.0.0/16",
                                   neighbor("b", "10.0.1.2", 65002, "lvA1", bfd) +
                                       neighbor("feed", "10.0.2.2", 65003, "lvA2", "    passive: true\n" + extra_feed)));
    b_.write_config(halinkd_config(b_.socket_path(), 65002, "10.255.0.2", "10.2.0.0/16",
                                   neighbor("a", "10.0.1.1", 65001, "lvB", bfd) + "fib: {install: false}\n"));
    std::string error;
    if (!a_.start(error) || !b_.start(error)) return ::testing::AssertionFailure() << error;
    if (!interop::wait_until([&] { return a_.neighbor_state("b") == "Established" && a_.bfd_state("b") == "Up"; },
                             30s))
      return ::testing::AssertionFailure() << "A-B not up\n" << a_.diagnostics() << b_.diagnostics();
    return ::testing::AssertionSuccess();
  }

  interop::Halinkd& a() { return a_; }
  interop::Halinkd& b() { return b_; }
  const TestNamespace& sender_namespace() const { return ns_s_; }

private:
  TestNamespace ns_a_, ns_b_, ns_s_;
  interop::ScratchDir dir_;
  interop::Halinkd a_, b_;
};

}  // namespace halink::testing

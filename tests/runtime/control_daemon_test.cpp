// Two halinkd Daemons peering over loopback TCP (no root: high ports, routes
// kept in memory), asked every control command over their real control
// sockets: the JSON fields of each reply, the text each renders to, and the
// error replies for bad requests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "runtime/control_socket.h"
#include "runtime/daemon.h"
#include "runtime/show_text.h"

using namespace halink;
using namespace halink::runtime;
using nlohmann::json;

namespace {

struct RunningDaemon {
  std::unique_ptr<Daemon> daemon;
  std::thread thread;
  std::string socket;

  ~RunningDaemon() {
    if (daemon) daemon->stop();
    if (thread.joinable()) thread.join();
  }
};

class ControlDaemonTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("halink-control-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    // Ports out of the way of other tests, different per process.
    port1_ = 20000 + getpid() % 20000;
    port2_ = port1_ + 1;
  }
  void TearDown() override {
    r1_.reset();
    r2_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string config(int me, int peer, const std::string& networks) {
    int port = me == 1 ? port1_ : port2_;
    int peer_port = peer == 1 ? port1_ : port2_;
    std::string me_s = std::to_string(me), peer_s = std::to_string(peer);
    return "local_as: 6500" + me_s + "\nrouter_id: 10.0.0." + me_s +
           "\nlisten: {addresses: [127.0.0." + me_s + "], port: " + std::to_string(port) + "}\n" +
           "networks: [" + networks + "]\n" + "control_socket: " + (dir_ / ("r" + me_s + ".sock")).string() +
           "\nneighbors:\n  - name: r" + peer_s + "\n    address: 127.0.0." + peer_s +
           "\n    port: " + std::to_string(peer_port) + "\n    remote_as: 6500" + peer_s +
           "\n    update_source: 127.0.0." + me_s +
           "\n    hold_time: 9\n    connect_retry: 1\n    import: all\n    export: all\n    max_prefix: 100\n";
  }

  std::unique_ptr<RunningDaemon> start(int me, int peer, const std::string& networks) {
    std::string path = (dir_ / ("r" + std::to_string(me) + ".yaml")).string();
    std::ofstream(path) << config(me, peer, networks);
    DaemonOptions options;
    options.config_path = path;
    options.install_routes = false;
    auto daemon = Daemon::create(options);
    EXPECT_TRUE(daemon.ok()) << daemon.message();
    if (!daemon) return nullptr;
    auto running = std::make_unique<RunningDaemon>();
    running->daemon = std::move(*daemon);
    running->socket = (dir_ / ("r" + std::to_string(me) + ".sock")).string();
    Daemon* d = running->daemon.get();
    running->thread = std::thread([d] { d->run(); });
    return running;
  }

  json ask(const RunningDaemon& d, const json& request) {
    auto reply = control_request(d.socket, request);
    EXPECT_TRUE(reply.ok()) << reply.message();
    return reply ? *reply : json{{"ok", false}, {"error", reply.message()}};
  }

  // Polls the daemon (it runs on real sockets and a real clock) until `done`
  // holds for the reply, for at most 15 s.
  json wait_for(const RunningDaemon& d, const json& request, const std::function<bool(const json&)>& done) {
    json reply;
    for (int i = 0; i < 300; ++i) {
      reply = ask(d, request);
      if (done(reply)) return reply;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "condition not reached; last reply " << reply.dump();
    return reply;
  }

  // Both sessions Established and r1 has r2's two prefixes.
  bool start_both() {
    r1_ = start(1, 2, "10.1.0.0/24");
    r2_ = start(2, 1, "10.2.0.0/24, 10.2.1.0/24");
    if (!r1_ || !r2_) return false;
    json summary = wait_for(*r1_, {{"command", "show"}, {"what", "summary"}}, [](const json& r) {
      return r["neighbors"][0]["established"] == true && !r["neighbors"][0]["families"].empty() &&
             r["neighbors"][0]["families"][0]["accepted"] == 2 && r["neighbors"][0]["families"][0]["advertised"] == 1;
    });
    return summary["neighbors_established"] == 1;
  }

  std::filesystem::path dir_;
  int port1_ = 0, port2_ = 0;
  std::unique_ptr<RunningDaemon> r1_, r2_;
};

const json show_neighbor_r2 = {{"command", "show"}, {"what", "neighbors"}, {"name", "r2"}};

}  // namespace

TEST_F(ControlDaemonTest, SummaryHasTheRouterAndOneLinePerNeighbourAndFamily) {
  ASSERT_TRUE(start_both());
  json s = ask(*r1_, {{"command", "show"}, {"what", "summary"}});
  EXPECT_EQ(s["ok"], true);
  EXPECT_EQ(s["router"], "r1");
  EXPECT_EQ(s["router_id"], "10.0.0.1");
  EXPECT_EQ(s["local_as"], 65001);
  EXPECT_EQ(s["loc_rib_prefixes"], 3);
  EXPECT_EQ(s["neighbors_configured"], 1);
  EXPECT_EQ(s["neighbors_established"], 1);
  const json& n = s["neighbors"][0];
  EXPECT_EQ(n["name"], "r2");
  EXPECT_EQ(n["address"], "127.0.0.2");
  EXPECT_EQ(n["remote_as"], 65002);
  EXPECT_EQ(n["state"], "Established");
  EXPECT_TRUE(n["since_seconds"].is_number());
  EXPECT_GE(n["messages_received"].get<int>(), 3);  // OPEN, KEEPALIVE, UPDATE at least
  EXPECT_GE(n["messages_sent"].get<int>(), 3);
  EXPECT_EQ(n["flaps"], 0);
  ASSERT_EQ(n["families"].size(), 1u);
  EXPECT_EQ(n["families"][0]["family"], "ipv4");
  EXPECT_TRUE(n["families"][0]["received"].is_null());  // no pre-policy copy kept
  EXPECT_EQ(n["families"][0]["accepted"], 2);
  EXPECT_EQ(n["families"][0]["advertised"], 1);

  std::string text = render_summary(s);
  EXPECT_NE(text.find("BGP router identifier 10.0.0.1, local AS number 65001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("1 neighbours configured, 1 established"), std::string::npos) << text;
  EXPECT_NE(text.find("Neighbor  Address    AS     MsgRcvd"), std::string::npos) << text;
  EXPECT_NE(text.find("Established  ipv4    -     2         1"), std::string::npos) << text;
}

TEST_F(ControlDaemonTest, NeighborDetailHasCapabilitiesTimersCountersAndPolicy) {
  ASSERT_TRUE(start_both());
  json reply = ask(*r1_, show_neighbor_r2);
  ASSERT_EQ(reply["ok"], true) << reply.dump();
  ASSERT_EQ(reply["neighbors"].size(), 1u);
  const json& n = reply["neighbors"][0];
  EXPECT_EQ(n["name"], "r2");
  EXPECT_EQ(n["local_as"], 65001);
  EXPECT_EQ(n["remote_as"], 65002);
  EXPECT_EQ(n["type"], "ebgp");
  EXPECT_EQ(n["remote_id"], "10.0.0.2");
  EXPECT_TRUE(n["uptime_seconds"].is_number());
  EXPECT_EQ(n["established_transitions"], 1);
  EXPECT_EQ(n["flaps"], 0);
  EXPECT_TRUE(n["last_error"].is_null());
  EXPECT_EQ(n["timers"]["configured"]["hold_time_seconds"], 9);
  EXPECT_EQ(n["timers"]["configured"]["keepalive_seconds"], 3);  // the configuration's default: hold / 3
  EXPECT_EQ(n["timers"]["configured"]["connect_retry_seconds"], 1);
  EXPECT_EQ(n["timers"]["negotiated"]["hold_time_seconds"], 9);
  EXPECT_EQ(n["timers"]["negotiated"]["keepalive_seconds"], 3);
  const json& caps = n["capabilities"]["negotiated"];
  EXPECT_EQ(caps["families"], json::array({"ipv4"}));
  EXPECT_EQ(caps["four_octet_as"], true);
  EXPECT_EQ(caps["route_refresh"], true);
  EXPECT_EQ(caps["extended_message"], true);
  EXPECT_TRUE(caps["add_path"].is_array());
  EXPECT_TRUE(caps.contains("enhanced_route_refresh"));
  EXPECT_TRUE(caps.contains("graceful_restart"));
  EXPECT_EQ(n["capabilities"]["advertised"]["route_refresh"], true);
  const json& received = n["messages"]["received"];
  EXPECT_EQ(received["open"], 1);
  EXPECT_GE(received["keepalive"].get<int>(), 1);
  EXPECT_GE(received["update"].get<int>(), 1);
  EXPECT_EQ(received["notification"], 0);
  EXPECT_EQ(received["route_refresh"], 0);
  EXPECT_EQ(n["messages"]["sent"]["open"], 1);
  EXPECT_EQ(n["prefixes"]["ipv4"]["accepted"], 2);
  EXPECT_EQ(n["prefixes"]["ipv6"]["accepted"], 0);
  EXPECT_EQ(n["max_prefix"]["ipv4"]["limit"], 100);
  EXPECT_EQ(n["policy"]["import"], "all");
  EXPECT_EQ(n["policy"]["export"], "all");
  EXPECT_EQ(n["soft_reconfiguration_inbound"], false);
  EXPECT_TRUE(n["bfd"].is_null());  // no bfd: configured

  std::string text = render_neighbors(reply);
  for (const char* line : {"BGP neighbor r2, address 127.0.0.2", "State Established", "Remote router id 10.0.0.2",
                           "Timers negotiated: hold 9s, keepalive 3s", "Capabilities negotiated: families ipv4; 4-octet AS",
                           "Last error: none", "ROUTE-REFRESH", "Prefixes ipv4: - received, 2 accepted, 1 advertised",
                           "Max-prefix ipv4: 100", "Policy import: all, export: all", "BFD: not configured"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;

  // Without a name: every neighbour, as a table.
  json all = ask(*r1_, {{"command", "show"}, {"what", "neighbors"}});
  EXPECT_EQ(all["neighbors"].size(), 1u);
}

TEST_F(ControlDaemonTest, RoutesLocRibAdjRibInAndOutWithPrefixMatching) {
  ASSERT_TRUE(start_both());
  json loc = ask(*r1_, {{"command", "show"}, {"what", "routes"}});
  EXPECT_EQ(loc["view"], "loc-rib");
  ASSERT_EQ(loc["routes"].size(), 3u);
  EXPECT_EQ(loc["routes"][0]["prefix"], "10.1.0.0/24");
  EXPECT_EQ(loc["routes"][0]["paths"][0]["from"], "local");
  const json& learned = loc["routes"][1];
  EXPECT_EQ(learned["prefix"], "10.2.0.0/24");
  EXPECT_EQ(learned["paths"][0]["from"], "r2");
  EXPECT_EQ(learned["paths"][0]["best"], true);
  EXPECT_EQ(learned["paths"][0]["multipath"], true);
  EXPECT_EQ(learned["paths"][0]["as_path"], "65002");
  EXPECT_EQ(learned["next_hops"][0]["gateway"], "127.0.0.2");
  EXPECT_NE(render_routes(loc).find("10.2.0.0/24  *>  r2"), std::string::npos) << render_routes(loc);

  // An address: longest match. A prefix: exact match only.
  json by_address = ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"prefix", "10.2.1.7"}});
  ASSERT_EQ(by_address["routes"].size(), 1u);
  EXPECT_EQ(by_address["routes"][0]["prefix"], "10.2.1.0/24");
  EXPECT_EQ(ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"prefix", "10.2.0.0/16"}})["routes"].size(), 0u);
  EXPECT_EQ(ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"prefix", "10.2.0.0/24"}})["routes"].size(), 1u);
  EXPECT_EQ(ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"family", "ipv6"}})["routes"].size(), 0u);

  json in = ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"received_from", "r2"}});
  EXPECT_EQ(in["view"], "adj-rib-in");
  EXPECT_EQ(in["neighbor"], "r2");
  EXPECT_EQ(in["pre_policy"], false);
  ASSERT_EQ(in["routes"].size(), 2u);
  EXPECT_EQ(in["routes"][0]["prefix"], "10.2.0.0/24");
  EXPECT_EQ(in["routes"][0]["accepted"], true);
  EXPECT_EQ(in["routes"][0]["best"], true);
  EXPECT_EQ(in["routes"][0]["next_hop"], "127.0.0.2");
  EXPECT_NE(render_routes(in).find("after import policy (post-policy"), std::string::npos) << render_routes(in);
  json in_match = ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"received_from", "r2"}, {"prefix", "10.2.1.9"}});
  ASSERT_EQ(in_match["routes"].size(), 1u);
  EXPECT_EQ(in_match["routes"][0]["prefix"], "10.2.1.0/24");

  // The Adj-RIB-Out holds the attributes as sent: our AS prepended, next hop self.
  json out = ask(*r1_, {{"command", "show"}, {"what", "routes"}, {"advertised_to", "r2"}});
  EXPECT_EQ(out["view"], "adj-rib-out");
  ASSERT_EQ(out["routes"].size(), 1u);
  EXPECT_EQ(out["routes"][0]["prefix"], "10.1.0.0/24");
  EXPECT_EQ(out["routes"][0]["as_path"], "65001");
  EXPECT_EQ(out["routes"][0]["next_hop"], "127.0.0.1");
  EXPECT_FALSE(out["routes"][0].contains("best"));
  EXPECT_NE(render_routes(out).find("Routes advertised to r2, with the attributes sent"), std::string::npos);
}

TEST_F(ControlDaemonTest, RefreshInOutAndSoftResetKeepTheSessionHardResetDropsIt) {
  ASSERT_TRUE(start_both());
  json in = ask(*r1_, {{"command", "neighbor"}, {"name", "r2"}, {"action", "refresh"}, {"direction", "in"}});
  ASSERT_EQ(in["ok"], true) << in.dump();
  EXPECT_NE(in["done"].get<std::string>().find("ROUTE-REFRESH sent"), std::string::npos);
  // The peer saw the ROUTE-REFRESH and answered with its routes again.
  wait_for(*r2_, {{"command", "show"}, {"what", "neighbors"}, {"name", "r1"}},
           [](const json& r) { return r["neighbors"][0]["messages"]["received"]["route_refresh"] == 1; });

  uint64_t updates_before = ask(*r2_, {{"command", "show"}, {"what", "neighbors"}, {"name", "r1"}})["neighbors"][0]
                                ["messages"]["received"]["update"];
  json out = ask(*r1_, {{"command", "neighbor"}, {"name", "r2"}, {"action", "refresh"}, {"direction", "out"}});
  ASSERT_EQ(out["ok"], true) << out.dump();
  EXPECT_EQ(out["done"], "Adj-RIB-Out re-exported and sent again");
  // The route arrives again between BoRR and EoRR: both ends have Enhanced
  // Route Refresh (RFC 7313 §4).
  wait_for(*r2_, {{"command", "show"}, {"what", "neighbors"}, {"name", "r1"}}, [&](const json& r) {
    const json& received = r["neighbors"][0]["messages"]["received"];
    return received["update"].get<uint64_t>() >= updates_before + 1 && received["route_refresh"] == 3;
  });

  json soft = ask(*r1_, {{"command", "neighbor"}, {"name", "r2"}, {"action", "reset"}, {"soft", true}});
  ASSERT_EQ(soft["ok"], true) << soft.dump();
  EXPECT_EQ(soft["done"], "ROUTE-REFRESH sent (RFC 2918); Adj-RIB-Out re-exported and sent again");
  json n = ask(*r1_, show_neighbor_r2)["neighbors"][0];
  EXPECT_EQ(n["state"], "Established");
  EXPECT_EQ(n["flaps"], 0);

  json hard = ask(*r1_, {{"command", "neighbor"}, {"name", "r2"}, {"action", "reset"}, {"message", "maintenance"}});
  ASSERT_EQ(hard["ok"], true) << hard.dump();
  // r2 was told why: the RFC 9003 Administrative Reset with our text.
  json r2_view = wait_for(*r2_, {{"command", "show"}, {"what", "neighbors"}, {"name", "r1"}}, [](const json& r) {
    return r["neighbors"][0]["last_error"].is_object() && r["neighbors"][0]["state"] == "Established";
  });
  const json& error = r2_view["neighbors"][0]["last_error"];
  EXPECT_EQ(error["reason"], bgp::down_reason_name(bgp::DownReason::notification_received));
  EXPECT_NE(error["notification_received"].get<std::string>().find("maintenance"), std::string::npos) << error;
  EXPECT_EQ(r2_view["neighbors"][0]["flaps"], 1);
  std::string text = render_neighbors(r2_view);
  EXPECT_NE(text.find("NOTIFICATION received:"), std::string::npos) << text;
}

TEST_F(ControlDaemonTest, BadRequestsGetErrorReplies) {
  ASSERT_TRUE(start_both());
  auto error_of = [&](const json& request) {
    json r = ask(*r1_, request);
    EXPECT_EQ(r["ok"], false) << request.dump();
    return r.value("error", std::string());
  };
  EXPECT_NE(error_of({{"command", "frobnicate"}}).find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "everything"}}).find("unknown show"), std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "neighbors"}, {"name", "nobody"}}).find("no neighbor named 'nobody'"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "routes"}, {"prefix", "10.0.0.0/33"}}).find("bad prefix"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "routes"}, {"prefix", "not-an-address"}}).find("bad prefix"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "routes"}, {"family", "ipx"}}).find("unknown family"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "routes"}, {"received_from", "nobody"}}).find("no neighbor"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "show"}, {"what", "routes"}, {"received_from", "r2"}, {"advertised_to", "r2"}})
                .find("exclude each other"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "neighbor"}, {"name", "nobody"}, {"action", "reset"}}).find("no neighbor"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "neighbor"}, {"name", "r2"}, {"action", "dance"}}).find("unknown neighbor action"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", "neighbor"}, {"name", "r2"}, {"action", "refresh"}, {"direction", "up"}})
                .find("unknown refresh direction"),
            std::string::npos);
  EXPECT_NE(error_of({{"command", 42}}).find("must be a string"), std::string::npos);
  EXPECT_NE(error_of(json::array({1, 2})).find("JSON object"), std::string::npos);

  // A refresh needs an Established session.
  ask(*r1_, {{"command", "neighbor"}, {"name", "r2"}, {"action", "shutdown"}});
  EXPECT_NE(error_of({{"command", "neighbor"}, {"name", "r2"}, {"action", "refresh"}}).find("not Established"),
            std::string::npos);

#ifdef HALINK_CLI
  // The CLI prints the error and exits non-zero.
  std::string out = (dir_ / "cli.out").string();
  std::string cli = std::string(HALINK_CLI) + " -s " + r1_->socket + " show neighbors nobody 2>" + out;
  EXPECT_NE(std::system(cli.c_str()), 0);
  std::ifstream in(out);
  std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(message, "halink: no neighbor named 'nobody'\n");
  cli = std::string(HALINK_CLI) + " -s " + r1_->socket + " show summary --json >" + out;
  EXPECT_EQ(std::system(cli.c_str()), 0);
  std::ifstream summary(out);
  EXPECT_EQ(json::parse(summary)["router_id"], "10.0.0.1");
#endif
}

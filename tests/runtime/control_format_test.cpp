// The control replies' JSON built from the speaker's views, the text each
// renders to, and how `show routes PREFIX` matches: no daemon, no sockets.
#include <gtest/gtest.h>

#include "runtime/control_commands.h"
#include "runtime/show_text.h"
#include "runtime/views_json.h"

using namespace halink;
using namespace halink::runtime;
using nlohmann::json;

namespace {

Prefix prefix(const char* text) { return *Prefix::parse(text); }
IpAddress address(const char* text) { return *IpAddress::parse(text); }

bgp::NeighborView established_view() {
  bgp::NeighborView v;
  v.id = 1;
  v.name = "isp1-a";
  v.address = address("169.254.21.1");
  v.interface = "wg0";
  v.remote_as = 65515;
  v.state = bgp::SessionState::established;
  v.state_since = Time::from_ns(0);
  v.remote_id = 0x0a000002;
  v.hold_time = Duration::seconds(9);
  v.keepalive_time = Duration::seconds(3);
  v.counters.received.open = 1;
  v.counters.received.update = 4;
  v.counters.received.keepalive = 7;
  v.counters.sent.open = 1;
  v.counters.sent.update = 2;
  v.counters.sent.keepalive = 6;
  v.counters.sent.route_refresh = 1;
  v.counters.established_transitions = 2;
  v.counters.flaps = 1;
  v.counters.established_since = Time::from_ns(0) + Duration::seconds(40);
  v.counters.last_down_reason = bgp::DownReason::hold_timer_expired;
  v.counters.last_error = "hold timer expired: nothing received for 9s";
  v.counters.last_down_at = Time::from_ns(0) + Duration::seconds(35);
  v.counters.last_notification_sent = bgp::Notification{4, 0, {}};
  bgp::Negotiated n;
  n.local_as = 65001;
  n.remote_as = 65515;
  n.remote_id = 0x0a000002;
  n.hold_time = Duration::seconds(9);
  n.keepalive_time = Duration::seconds(3);
  n.families = {bgp::AfiSafi::unicast(Family::ipv4), bgp::AfiSafi::unicast(Family::ipv6)};
  n.four_octet_as = true;
  n.route_refresh = true;
  n.extended_message = true;
  n.add_path = {bgp::AddPath{.afi_safi = bgp::AfiSafi::unicast(Family::ipv4), .receive = false, .send = true}};
  v.negotiated = n;
  v.ipv4_prefixes = {std::nullopt, 12, 3};
  v.ipv6_prefixes = {std::nullopt, 5, 1};
  v.received_prefixes = 17;
  v.advertised_prefixes = 4;
  return v;
}

bgp::NeighborSettings settings() {
  bgp::NeighborSettings s;
  s.name = "isp1-a";
  s.session.local_as = 65001;
  s.session.remote_as = 65515;
  s.session.hold_time = Duration::seconds(9);
  s.session.connect_retry = Duration::seconds(5);
  s.policy.import_policy = bgp::Policy{"from-cloud", {}, bgp::PolicyVerdict::accept};
  s.policy.export_policy = bgp::Policy{"", {}, bgp::PolicyVerdict::accept};
  s.policy.max_prefix_ipv4 = bgp::MaxPrefix{1000, false, Duration::seconds(60), 80};
  return s;
}

const Time now = Time::from_ns(0) + Duration::seconds(100);

}  // namespace

TEST(ControlFormat, RouteQueryMatchesPrefixesExactlyAndAddressesByLongestMatch) {
  auto exact = RouteQuery::parse("10.2.0.0/16");
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->contains(prefix("10.2.0.0/16")));
  EXPECT_FALSE(exact->contains(prefix("10.2.0.0/24")));
  EXPECT_FALSE(exact->contains(prefix("10.0.0.0/8")));

  auto host = RouteQuery::parse("10.2.1.7");
  ASSERT_TRUE(host.ok());
  EXPECT_TRUE(host->contains(prefix("10.2.1.0/24")));
  EXPECT_TRUE(host->contains(prefix("0.0.0.0/0")));
  EXPECT_FALSE(host->contains(prefix("10.2.0.0/24")));
  EXPECT_FALSE(host->contains(prefix("::/0")));  // another family

  EXPECT_TRUE(RouteQuery::parse("2001:db8::1")->contains(prefix("2001:db8::/32")));
  EXPECT_FALSE(RouteQuery::parse("10.0.0.0/33").ok());
  EXPECT_FALSE(RouteQuery::parse("10.0.0.1/8").ok());  // host bits set: not a prefix
  EXPECT_FALSE(RouteQuery::parse("router-one").ok());
}

TEST(ControlFormat, NeighborDetailJsonNamesEveryPart) {
  json j = to_json(established_view(), settings(), now);
  EXPECT_EQ(j["type"], "ebgp");
  EXPECT_EQ(j["remote_id"], "10.0.0.2");
  EXPECT_DOUBLE_EQ(j["uptime_seconds"].get<double>(), 60.0);
  EXPECT_EQ(j["flaps"], 1);
  EXPECT_EQ(j["last_error"]["reason"], bgp::down_reason_name(bgp::DownReason::hold_timer_expired));
  EXPECT_DOUBLE_EQ(j["last_error"]["seconds_ago"].get<double>(), 65.0);
  EXPECT_TRUE(j["last_error"]["notification_sent"].is_string());
  EXPECT_TRUE(j["last_error"]["notification_received"].is_null());
  EXPECT_EQ(j["timers"]["configured"]["hold_time_seconds"], 9);
  EXPECT_TRUE(j["timers"]["configured"]["keepalive_seconds"].is_null());
  EXPECT_EQ(j["timers"]["negotiated"]["keepalive_seconds"], 3);
  EXPECT_EQ(j["capabilities"]["negotiated"]["families"], json::array({"ipv4", "ipv6"}));
  EXPECT_EQ(j["capabilities"]["negotiated"]["add_path"][0], json({{"family", "ipv4"}, {"send", true}, {"receive", false}}));
  EXPECT_TRUE(j["capabilities"]["negotiated"]["graceful_restart"].is_null());
  EXPECT_EQ(j["messages"]["sent"]["route_refresh"], 1);
  EXPECT_EQ(j["messages"]["received"]["total"], 12);
  EXPECT_EQ(j["prefixes"]["ipv6"], json({{"received", nullptr}, {"accepted", 5}, {"advertised", 1}}));
  EXPECT_EQ(j["max_prefix"]["ipv4"]["restart_after_seconds"], 60);
  EXPECT_TRUE(j["max_prefix"]["ipv6"].is_null());
  EXPECT_EQ(j["policy"]["import"], "from-cloud");
  EXPECT_EQ(j["policy"]["export"], "(inline)");
}

TEST(ControlFormat, NeighborDetailTextReadsLikeShowBgpNeighbor) {
  json j = to_json(established_view(), settings(), now);
  j["bfd"] = nullptr;
  std::string text = render_neighbor_detail(j);
  EXPECT_EQ(text.rfind("BGP neighbor isp1-a, address 169.254.21.1 dev wg0, remote AS 65515, local AS 65001, ebgp\n", 0),
            0u)
      << text;
  for (const char* line :
       {"  State Established for 1m40s, up 1m00s; established 2 times, 1 flaps\n",
        "  Timers configured: hold 9s, keepalive hold/3, connect retry 5s, idle hold max 120s\n",
        "  Timers negotiated: hold 9s, keepalive 3s\n",
        "  Capabilities negotiated: families ipv4, ipv6; 4-octet AS; route refresh; extended message; "
        "add-path ipv4 send\n",
        "  Last error: hold timer expired: nothing received for 9s (1m05s ago)\n",
        "    NOTIFICATION sent: ", "  Messages  OPEN  UPDATE  NOTIFICATION  KEEPALIVE  ROUTE-REFRESH  other  total\n",
        "  received  1     4       0             7          0              0      12\n",
        "  Prefixes ipv4: - received, 12 accepted, 3 advertised\n",
        "  Max-prefix ipv4: 1000 (warn at 80%, restart after 60s); ipv6: none\n",
        "  Policy import: from-cloud, export: (inline)\n", "  BFD: not configured\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(ControlFormat, SummaryHasOneLinePerNegotiatedFamilyAndStateWhenDown) {
  bgp::NeighborView down;
  down.name = "isp2-a";
  down.address = address("169.254.22.1");
  down.remote_as = 65515;
  down.state = bgp::SessionState::active;
  down.state_since = Time::from_ns(0) + Duration::seconds(90);
  json reply{{"ok", true},
             {"router", "onprem1"},
             {"router_id", "10.0.0.1"},
             {"local_as", 65001},
             {"loc_rib_prefixes", 17},
             {"attribute_sets", 4},
             {"neighbors_configured", 2},
             {"neighbors_established", 1},
             {"neighbors", {summary_json(established_view(), now), summary_json(down, now)}}};
  const json& up = reply["neighbors"][0];
  EXPECT_EQ(up["families"].size(), 2u);
  EXPECT_EQ(up["families"][1], json({{"family", "ipv6"}, {"received", nullptr}, {"accepted", 5}, {"advertised", 1}}));
  EXPECT_EQ(up["messages_received"], 12);
  EXPECT_EQ(reply["neighbors"][1]["families"], json::array());
  EXPECT_EQ(reply["neighbors"][1]["established"], false);

  EXPECT_EQ(render_summary(reply),
            "BGP router identifier 10.0.0.1, local AS number 65001\n"
            "17 prefixes in the Loc-RIB, 4 distinct attribute sets\n"
            "2 neighbours configured, 1 established\n"
            "\n"
            "Neighbor  Address       AS     MsgRcvd  MsgSent  Up/Down  State        Family  Rcvd  Accepted  Sent\n"
            "isp1-a    169.254.21.1  65515  12       10       1m40s    Established  ipv4    -     12        3\n"
            "                                                                       ipv6    -     5         1\n"
            "isp2-a    169.254.22.1  65515  0        0        10.0s    Active       -       -     -         -\n"
            "Rcvd - : the routes as received are kept only with soft reconfiguration inbound\n");
}

TEST(ControlFormat, AdjRibRoutesAreMarkedAndTheViewSaysWhichCopyItIs) {
  bgp::PathAttributes attrs;
  attrs.origin = bgp::Origin::igp;
  attrs.next_hop = address("169.254.21.1");
  bgp::AdjRibRouteView rejected{prefix("10.9.0.0/16"), attrs, false, false, false};
  bgp::AdjRibRouteView best{prefix("10.1.0.0/16"), attrs, true, true, true};
  json in{{"ok", true},
          {"view", "adj-rib-in"},
          {"neighbor", "isp1-a"},
          {"pre_policy", true},
          {"routes", {to_json(best, true), to_json(rejected, true)}}};
  EXPECT_EQ(in["routes"][1]["accepted"], false);
  std::string text = render_routes(in);
  EXPECT_NE(text.find("Routes received from isp1-a as received (pre-policy copy"), std::string::npos) << text;
  EXPECT_NE(text.find("10.1.0.0/16  *>  169.254.21.1"), std::string::npos) << text;
  EXPECT_NE(text.find("10.9.0.0/16  x   169.254.21.1"), std::string::npos) << text;

  json out_route = to_json(best, false);
  EXPECT_FALSE(out_route.contains("best"));
  EXPECT_FALSE(out_route.contains("accepted"));
  EXPECT_EQ(out_route["prefix"], "10.1.0.0/16");
  EXPECT_EQ(out_route["next_hop"], "169.254.21.1");
}

TEST(ControlFormat, FibAndStatusShowWhatTheKernelRefused) {
  json fib = {{"ok", true},
              {"routes", json::array()},
              {"stats",
               {{"routes", 0}, {"groups", 0}, {"next_hops", 0}, {"route_writes", 1}, {"group_writes", 0},
                {"failed_writes", 1}}},
              {"not_installed", {"route 10.2.0.0/16: No buffer space available"}}};
  std::string text = render_fib(fib);
  EXPECT_NE(text.find("not installed"), std::string::npos) << text;
  EXPECT_NE(text.find("route 10.2.0.0/16: No buffer space available"), std::string::npos) << text;

  fib["not_installed"] = json::array();
  EXPECT_EQ(render_fib(fib).find("not installed"), std::string::npos);

  json status = {{"ok", true}, {"router", "r1"}, {"local_as", 65001}, {"router_id", "10.0.0.1"},
                 {"uptime_seconds", 3.0}, {"neighbors", 2}, {"loc_rib_prefixes", 4}, {"attribute_sets", 2},
                 {"fib_not_installed", 1}};
  EXPECT_NE(render_status(status).find("1 kernel objects not installed"), std::string::npos) << render_status(status);
  status["fib_not_installed"] = 0;
  EXPECT_EQ(render_status(status).find("not installed"), std::string::npos);
}

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/loader.h"

namespace halink::config {
namespace {

std::string example(const char* name) { return std::string(HALINK_SOURCE_DIR) + "/examples/" + name; }

Prefix prefix(const char* text) { return *Prefix::parse(text); }
IpAddress address(const char* text) { return *IpAddress::parse(text); }

TEST(ConfigExamples, EveryExampleLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(HALINK_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    auto topology = load_topology(entry.path().string());
    EXPECT_TRUE(topology.ok()) << (topology.ok() ? "" : topology.message());
    ++loaded;
  }
  EXPECT_GE(loaded, 3);
}

TEST(ConfigExamples, ActiveActiveIsTheArticlesDesign) {
  auto t = load_topology(example("active-active.yaml"));
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->name, "active-active");
  ASSERT_EQ(t->routers.size(), 4u);
  ASSERT_EQ(t->tunnels.size(), 4u);
  size_t sessions = 0;
  for (const RouterConfig& r : t->routers) {
    sessions += r.neighbors.size();
    EXPECT_EQ(r.ecmp.max_paths, 4u);
    for (const Neighbor& n : r.neighbors) {
      ASSERT_TRUE(n.bfd.has_value());
      EXPECT_EQ(n.bfd->interval, Duration::milliseconds(100));
      EXPECT_EQ(n.bfd->multiplier, 3);
      EXPECT_EQ(n.bfd->detection_time(), Duration::milliseconds(300));
      EXPECT_EQ(n.hold_time, Duration::seconds(9));
      EXPECT_EQ(n.keepalive, Duration::seconds(3));
      if (n.tunnel.empty()) {  // the site pair's iBGP session, to the sibling's LAN address
        EXPECT_EQ(n.remote_as, r.local_as);
        EXPECT_TRUE(n.next_hop_self);
        ASSERT_TRUE(r.lan_address.has_value());
        EXPECT_TRUE(r.lan_address->subnet().contains(n.address)) << r.name;
      } else {
        EXPECT_EQ(n.remote_as, r.site == "onprem" ? 65515u : 65001u);
      }
      ASSERT_TRUE(n.policy.import_policy && n.policy.export_policy);
    }
  }
  EXPECT_EQ(sessions, 12u);  // 4 eBGP + 2 iBGP sessions, seen from both ends

  const RouterConfig* r1 = t->find_router("r1");
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->local_as, 65001u);
  EXPECT_EQ(r1->router_id, address("10.1.255.1"));
  EXPECT_EQ(r1->networks, std::vector<Prefix>{prefix("10.1.0.0/16")});
  // A neighbour that names only its tunnel gets the far end's address and AS.
  const Neighbor* to_g1 = r1->find_neighbor("r1-g1");
  ASSERT_NE(to_g1, nullptr);
  EXPECT_EQ(to_g1->address, address("169.254.21.2"));
  EXPECT_EQ(to_g1->interface, "r1-g1");
  EXPECT_EQ(to_g1->tunnel, "r1-g1");
  EXPECT_EQ(to_g1->families, std::vector<BgpFamily>{BgpFamily::ipv4_unicast});
  EXPECT_EQ(to_g1->policy.export_policy->name, "to-cloud");
  ASSERT_EQ(to_g1->policy.export_policy->terms.size(), 1u);
  EXPECT_EQ(to_g1->policy.export_policy->terms[0].match.prefixes[0].prefix, prefix("10.1.0.0/16"));
  EXPECT_EQ(to_g1->policy.export_policy->default_verdict, bgp::PolicyVerdict::reject);
  EXPECT_EQ(to_g1->policy.import_policy->terms[0].match.prefixes[0].le, std::optional<uint8_t>(24));

  const Tunnel* tunnel = t->find_tunnel("r2-g2");
  ASSERT_NE(tunnel, nullptr);
  EXPECT_EQ(tunnel->underlay, "isp1");
  EXPECT_EQ(tunnel->ends[0].router, "r2");
  EXPECT_EQ(tunnel->ends[0].address.to_string(), "169.254.21.13/30");
  EXPECT_EQ(tunnel->ends[1].address.subnet(), prefix("169.254.21.12/30"));
  EXPECT_EQ(t->find_underlay("isp1")->bandwidth_bps, 1'000'000'000u);
}

TEST(ConfigExamples, ActivePassivePrependsOnIsp2FromTheCloud) {
  auto t = load_topology(example("active-passive.yaml"));
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->tunnels.size(), 8u);
  EXPECT_EQ(t->find_underlay("isp2")->bandwidth_bps, 250'000'000u);
  const RouterConfig* g1 = t->find_router("g1");
  ASSERT_NE(g1, nullptr);
  ASSERT_EQ(g1->neighbors.size(), 5u);  // 4 tunnels and g2 over the LAN
  for (const Neighbor& n : g1->neighbors) {
    if (n.name == "g2") {
      EXPECT_EQ(n.address, address("10.2.0.2"));
      continue;
    }
    const Tunnel* tunnel = t->find_tunnel(n.tunnel);
    ASSERT_NE(tunnel, nullptr);
    const uint8_t prepend = n.policy.export_policy->terms.at(0).actions.prepend_own_as;
    EXPECT_EQ(prepend, tunnel->underlay == "isp2" ? 1 : 0) << n.name;
    // Settings merged in with `<<: *timers`.
    EXPECT_EQ(n.hold_time, Duration::seconds(9));
    ASSERT_TRUE(n.bfd.has_value());
    EXPECT_EQ(n.bfd->interval, Duration::milliseconds(300));
  }
}

TEST(ConfigExamples, SingleFirewallSitsBetweenTheLanAndBothRouters) {
  auto t = load_topology(example("single-firewall.yaml"));
  ASSERT_TRUE(t.ok()) << t.message();
  ASSERT_EQ(t->devices.size(), 1u);
  const Device& fw = t->devices[0];
  EXPECT_EQ(fw.name, "fw1");
  EXPECT_EQ(fw.kind, DeviceKind::firewall);
  EXPECT_TRUE(fw.stateful);
  EXPECT_EQ(fw.site, "onprem");
  EXPECT_EQ(fw.outside, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(fw.inside, std::vector<std::string>{"onprem-host"});
}

TEST(ConfigDefaults, UnsetKeysTakeTheDocumentedDefaults) {
  auto router = load_router_string(
      "local_as: 65001\nrouter_id: 10.0.0.1\nneighbors:\n  - {address: 192.0.2.1, remote_as: 65002}\n", "r1");
  ASSERT_TRUE(router.ok()) << router.message();
  const Neighbor& n = router->neighbors.at(0);
  EXPECT_EQ(n.name, "192.0.2.1");
  EXPECT_EQ(n.hold_time, defaults::hold_time);
  EXPECT_EQ(n.hold_time, Duration::seconds(30));
  EXPECT_EQ(n.keepalive, Duration::seconds(10));
  EXPECT_EQ(n.connect_retry, Duration::seconds(5));
  EXPECT_EQ(n.idle_hold_max, Duration::seconds(120));
  EXPECT_EQ(n.port, 179);
  EXPECT_FALSE(n.bfd.has_value());
  EXPECT_FALSE(n.passive);
  EXPECT_FALSE(n.ebgp_multihop.has_value());
  EXPECT_FALSE(n.policy.import_policy.has_value());  // RFC 8212 applies
  EXPECT_EQ(router->ecmp.max_paths, 8u);
  EXPECT_EQ(router->fib.table, 254u);
  EXPECT_EQ(router->listen.port, 179);
  EXPECT_EQ(router->control_socket, "/run/halinkd/halinkd.sock");
}

TEST(ConfigDefaults, BfdTrueMeans300MsTimesThree) {
  auto router = load_router_string(
      "local_as: 65001\nrouter_id: 10.0.0.1\nneighbors:\n  - {address: 192.0.2.1, remote_as: 65002, bfd: true}\n"
      "  - {address: 2001:db8::2, remote_as: 65002, bfd: false, families: [ipv6, ipv4]}\n",
      "r1");
  ASSERT_TRUE(router.ok()) << router.message();
  ASSERT_TRUE(router->neighbors[0].bfd.has_value());
  EXPECT_EQ(router->neighbors[0].bfd->detection_time(), Duration::milliseconds(900));
  EXPECT_FALSE(router->neighbors[1].bfd.has_value());
  EXPECT_EQ(router->neighbors[1].families,
            (std::vector<BgpFamily>{BgpFamily::ipv6_unicast, BgpFamily::ipv4_unicast}));
}

TEST(ConfigRouter, EveryNeighbourSettingIsRead) {
  auto router = load_router_string(R"(
local_as: 65001
router_id: 10.0.0.1
listen: {addresses: [192.0.2.10, "2001:db8::10"], port: 1179}
fib: {table: main, keep_on_exit: true}
ecmp: {max_paths: 8, multipath_relax: true}
static_routes:
  - {prefix: 0.0.0.0/0, via: 192.0.2.254}
policies:
  backup:
    terms:
      - name: tag
        match: {family: ipv4, communities: ["65001:10", no-export], neighbor_as: 65002, as_path_length_max: 3}
        set: {local_pref: 50, med: 10, strip_med: true, prepend: 2, prepend_asn: 64512, prepend_asn_count: 3,
              add_communities: [graceful-shutdown], add_large_communities: ["65001:1:2"]}
        action: next-term
      - action: accept
    default: accept
neighbors:
  - name: peer
    description: a peer on a stick
    address: 192.0.2.1
    remote_as: 65002
    port: 1179
    interface: eth0
    update_source: 192.0.2.10
    passive: true
    shutdown: true
    ebgp_multihop: 3
    ttl_security: true
    soft_reconfiguration_inbound: true
    password_file: keys/peer.key
    hold_time: 12
    keepalive: 4
    connect_retry: 7
    idle_hold_max: 15
    families: [ipv4]
    bfd: {interval_ms: 50, multiplier: 5, multihop: true, auth: {type: meticulous-keyed-sha1, key_id: 7, key_file: /etc/bfd.key}}
    import: backup
    export: {terms: [{match: {prefixes: ["10.0.0.0/8 ge 16 le 24"]}}], default: reject}
    max_prefix: {limit: 100, warning_only: true, restart_after: 60, warning_threshold_percent: 90}
    honor_graceful_shutdown: false
)",
                                   "edge", "edge.yaml", "/etc/halink");
  ASSERT_TRUE(router.ok()) << router.message();
  EXPECT_EQ(router->name, "edge");
  EXPECT_EQ(router->listen.port, 1179);
  EXPECT_EQ(router->listen.addresses.size(), 2u);
  EXPECT_EQ(router->fib.table, 254u);
  EXPECT_TRUE(router->fib.keep_on_exit);
  EXPECT_TRUE(router->ecmp.multipath_relax);
  ASSERT_EQ(router->static_routes.size(), 1u);
  EXPECT_EQ(router->static_routes[0].via_address, address("192.0.2.254"));

  const Neighbor& n = router->neighbors.at(0);
  EXPECT_EQ(n.name, "peer");
  EXPECT_EQ(n.port, 1179);
  EXPECT_EQ(n.interface, "eth0");
  EXPECT_EQ(n.update_source, address("192.0.2.10"));
  EXPECT_TRUE(n.passive && n.shutdown && n.ttl_security && n.soft_reconfiguration_inbound);
  EXPECT_EQ(n.ebgp_multihop, std::optional<uint8_t>(3));
  EXPECT_EQ(n.password_file, "/etc/halink/keys/peer.key");  // relative to the config file
  EXPECT_EQ(n.hold_time, Duration::seconds(12));
  EXPECT_EQ(n.keepalive, Duration::seconds(4));
  EXPECT_EQ(n.connect_retry, Duration::seconds(7));
  EXPECT_EQ(n.idle_hold_max, Duration::seconds(15));
  ASSERT_TRUE(n.bfd && n.bfd->auth);
  EXPECT_EQ(n.bfd->interval, Duration::milliseconds(50));
  EXPECT_EQ(n.bfd->multiplier, 5);
  EXPECT_TRUE(n.bfd->multihop);
  EXPECT_EQ(n.bfd->auth->type, BfdAuthType::meticulous_keyed_sha1);
  EXPECT_EQ(n.bfd->auth->key_id, 7);
  EXPECT_EQ(n.bfd->auth->key_file, "/etc/bfd.key");

  const bgp::Policy& import = *n.policy.import_policy;
  EXPECT_EQ(import.name, "backup");
  EXPECT_EQ(import.default_verdict, bgp::PolicyVerdict::accept);
  ASSERT_EQ(import.terms.size(), 2u);
  const bgp::PolicyTerm& tag = import.terms[0];
  EXPECT_EQ(tag.name, "tag");
  EXPECT_EQ(tag.match.family, std::optional<Family>(Family::ipv4));
  EXPECT_EQ(tag.match.communities, (std::vector<uint32_t>{(65001u << 16) | 10u, bgp::community::no_export}));
  EXPECT_EQ(tag.match.neighbor_as, std::vector<uint32_t>{65002});
  EXPECT_EQ(tag.match.as_path_length_max, std::optional<uint32_t>(3));
  EXPECT_EQ(tag.actions.set_local_pref, std::optional<uint32_t>(50));
  EXPECT_EQ(tag.actions.set_med, std::optional<uint32_t>(10));
  EXPECT_TRUE(tag.actions.strip_med);
  EXPECT_EQ(tag.actions.prepend_own_as, 2);
  EXPECT_EQ(tag.actions.prepend_asn, std::optional<uint32_t>(64512));
  EXPECT_EQ(tag.actions.prepend_asn_count, 3);
  EXPECT_EQ(tag.actions.add_communities, std::vector<uint32_t>{bgp::community::graceful_shutdown});
  EXPECT_EQ(tag.actions.add_large_communities, (std::vector<bgp::LargeCommunity>{{65001, 1, 2}}));
  EXPECT_EQ(tag.actions.verdict, bgp::PolicyVerdict::next_term);

  const bgp::Policy& exported = *n.policy.export_policy;
  EXPECT_EQ(exported.name, "peer.export");
  const bgp::PrefixListEntry& entry = exported.terms.at(0).match.prefixes.at(0);
  EXPECT_EQ(entry.ge, std::optional<uint8_t>(16));
  EXPECT_EQ(entry.le, std::optional<uint8_t>(24));
  ASSERT_TRUE(n.policy.max_prefix_ipv4.has_value());
  EXPECT_FALSE(n.policy.max_prefix_ipv6.has_value());
  EXPECT_EQ(n.policy.max_prefix_ipv4->limit, 100u);
  EXPECT_TRUE(n.policy.max_prefix_ipv4->warning_only);
  EXPECT_EQ(n.policy.max_prefix_ipv4->restart_after, Duration::seconds(60));
  EXPECT_EQ(n.policy.max_prefix_ipv4->warning_threshold_percent, 90);
  EXPECT_FALSE(n.policy.honor_graceful_shutdown);
}

class ConfigLoadRouter : public ::testing::Test {
protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path folder = std::filesystem::path(::testing::TempDir()) / "halink-config-test";
    std::filesystem::create_directories(folder);
    const std::string path = (folder / name).string();
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(ConfigLoadRouter, FromAWholeTopology) {
  auto r2 = load_router(example("active-active.yaml"), "r2");
  ASSERT_TRUE(r2.ok()) << r2.message();
  EXPECT_EQ(r2->name, "r2");
  EXPECT_EQ(r2->site, "onprem");
  ASSERT_EQ(r2->neighbors.size(), 3u);
  EXPECT_EQ(r2->neighbors[0].address, address("169.254.21.10"));
  EXPECT_EQ(r2->neighbors[1].address, address("169.254.21.14"));
  EXPECT_EQ(r2->neighbors[2].address, address("10.1.0.1"));  // r1 on the LAN
  EXPECT_EQ(r2->lan_address->to_string(), "10.1.0.2/16");
}

TEST_F(ConfigLoadRouter, UnknownNodeSuggestsTheClosestName) {
  auto result = load_router(example("active-active.yaml"), "r3");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("no router named 'r3' (did you mean 'r1'?); routers: r1, r2, g1, g2"),
            std::string::npos)
      << result.message();
  auto unnamed = load_router(example("active-active.yaml"), "");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.message().find("name the router (--node), one of: r1, r2, g1, g2"), std::string::npos);
}

TEST_F(ConfigLoadRouter, FromAFileHoldingOnlyTheRouterSection) {
  const std::string path = write("edge-1.yaml", R"(site: onprem
local_as: 65001
router_id: 10.1.255.1
networks: [10.1.0.0/16]
neighbors:
  - {tunnel: r1-g1, address: 169.254.21.2, remote_as: 65515, interface: wg0, password_file: g1.key}
)");
  auto by_file_name = load_router(path, "");
  ASSERT_TRUE(by_file_name.ok()) << by_file_name.message();
  EXPECT_EQ(by_file_name->name, "edge-1");
  EXPECT_EQ(by_file_name->neighbors.at(0).tunnel, "r1-g1");  // a label: no topology to resolve it in
  EXPECT_EQ(by_file_name->neighbors.at(0).name, "r1-g1");
  EXPECT_EQ(by_file_name->neighbors.at(0).password_file,
            (std::filesystem::path(path).parent_path() / "g1.key").string());
  auto named = load_router(path, "r1");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->name, "r1");
}

TEST_F(ConfigLoadRouter, TheSectionOfATopologyIsTheSameConfigOnItsOwn) {
  // The router section cut out of a topology, with what the tunnel supplied written out.
  auto from_topology = load_router(example("active-active.yaml"), "r1");
  ASSERT_TRUE(from_topology.ok());
  const std::string path = write("r1.yaml", R"(description: router-onprem-1
site: onprem
local_as: 65001
router_id: 10.1.255.1
networks: [10.1.0.0/16]
lan_address: 10.1.0.1/16
ecmp: {max_paths: 4}
policies:
  to-cloud:
    terms:
      - name: onprem-prefixes
        match: {prefixes: [10.1.0.0/16]}
  from-cloud:
    terms:
      - name: cloud-prefixes
        match: {prefixes: ["10.2.0.0/16 le 24"]}
neighbor_defaults: {remote_as: 65515, hold_time: 9, keepalive: 3, bfd: {interval_ms: 100, multiplier: 3},
                    import: from-cloud, export: to-cloud}
neighbors:
  - {tunnel: r1-g1, address: 169.254.21.2}
  - {tunnel: r1-g2, address: 169.254.21.6}
  - {name: r2, address: 10.1.0.2, remote_as: 65001, next_hop_self: true, import: all, export: all}
)");
  auto standalone = load_router(path, "");
  ASSERT_TRUE(standalone.ok()) << standalone.message();
  // Interfaces come from the tunnel only in a whole topology.
  RouterConfig expected = *from_topology;
  for (Neighbor& n : expected.neighbors) n.interface.clear();
  EXPECT_EQ(*standalone, expected);
}

TEST_F(ConfigLoadRouter, SectionWithoutTopologyNeedsAddresses) {
  auto result = load_router_string("local_as: 65001\nrouter_id: 10.0.0.1\nneighbors:\n  - {tunnel: t1, remote_as: 65002}\n",
                                   "r1", "r1.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "r1.yaml:4:5: neighbors[0]: missing required key 'address' (or 'tunnel' naming a tunnel of the topology)");
}

TEST_F(ConfigLoadRouter, BadTopologyIsRejectedEvenForAnotherRouter) {
  const std::string path = write("broken.yaml", R"(sites: {a: {prefixes: [10.0.0.0/8]}}
routers:
  r1: {site: a, local_as: 65001, router_id: 10.0.0.1}
  r2: {site: a, local_as: 65002, router_id: 10.0.0.1}
)");
  auto result = load_router(path, "r1");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("broken.yaml:4:45: routers.r2.router_id: 10.0.0.1 is also the router_id of r1"),
            std::string::npos)
      << result.message();
}

}  // namespace
}  // namespace halink::config

TEST(Loader, BfdLogOnlyIsRead) {
  auto r = halink::config::load_router_string(
      "local_as: 65001\nrouter_id: 10.0.0.1\nneighbors:\n  - name: p\n    address: 10.0.0.2\n    remote_as: 65002\n"
      "    bfd: {interval_ms: 100, multiplier: 3, log_only: true}\n",
      "r1");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_TRUE(r->neighbors[0].bfd.has_value());
  EXPECT_TRUE(r->neighbors[0].bfd->log_only);
}

namespace halink::config {
namespace {

// Two routers of one site with the site pair's iBGP session over the LAN.
std::string site_pair_topology(const std::string& r1_neighbor) {
  return "sites:\n"                                                  // 1
         "  a: {prefixes: [10.1.0.0/16]}\n"                          // 2
         "routers:\n"                                                // 3
         "  r1:\n"                                                   // 4
         "    site: a\n"                                             // 5
         "    local_as: 65001\n"                                     // 6
         "    router_id: 10.1.255.1\n"                               // 7
         "    lan_address: 10.1.0.1/16\n"                            // 8
         "    neighbors:\n"                                          // 9
         "      - " + r1_neighbor + "\n"                             // 10
         "  r2:\n"
         "    site: a\n"
         "    local_as: 65001\n"
         "    router_id: 10.1.255.2\n"
         "    lan_address: 10.1.0.2/16\n"
         "    neighbors:\n"
         "      - {name: r1, address: 10.1.0.1, remote_as: 65001, interface: lan0, next_hop_self: true}\n";
}

TEST(ConfigSitePair, SiblingsOnTheLanLoad) {
  auto t = load_topology_string(
      site_pair_topology("{name: r2, address: 10.1.0.2, remote_as: 65001, interface: lan0, next_hop_self: true}"),
      "pair.yaml");
  ASSERT_TRUE(t.ok()) << t.message();
  const Neighbor* to_r2 = t->find_router("r1")->find_neighbor("r2");
  ASSERT_NE(to_r2, nullptr);
  EXPECT_TRUE(to_r2->next_hop_self);
  EXPECT_FALSE(to_r2->is_ebgp(65001));
  EXPECT_EQ(t->find_router("r2")->lan_address->to_string(), "10.1.0.2/16");
}

TEST(ConfigSitePair, TheSessionNeedsTheLanInterface) {
  auto t = load_topology_string(site_pair_topology("{name: r2, address: 10.1.0.2, remote_as: 65001}"), "pair.yaml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.message().substr(0, t.message().find('\n')),
            "pair.yaml:10:29: routers.r1.neighbors[0].address: the session to r2 over the LAN needs 'interface': the "
            "LAN interface through which r1 forwards to r2 (lan0 in halink lab)");
}

}  // namespace
}  // namespace halink::config

// Every mistake is reported at its exact file:line:col with its key path.
#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"

namespace halink::config {
namespace {

// Lines 1-17; router r1 of each case starts on line 18.
const std::string base =
    "sites:\n"                                          // 1
    "  a: {prefixes: [10.1.0.0/16]}\n"                  // 2
    "  b: {prefixes: [10.2.0.0/16]}\n"                  // 3
    "underlays:\n"                                      // 4
    "  isp1: {bandwidth_mbps: 100}\n"                   // 5
    "tunnels:\n"                                        // 6
    "  t1:\n"                                           // 7
    "    underlay: isp1\n"                              // 8
    "    ends:\n"                                       // 9
    "      - {router: r1, address: 169.254.21.1/30}\n"  // 10
    "      - {router: r2, address: 169.254.21.2/30}\n"  // 11
    "routers:\n"                                        // 12
    "  r2:\n"                                           // 13
    "    site: b\n"                                     // 14
    "    local_as: 65002\n"                             // 15
    "    router_id: 10.2.255.1\n"                       // 16
    "    neighbors: [{tunnel: t1}]\n";                  // 17

// Lines 18-22; a case's own lines start on line 23.
const std::string r1_head =
    "  r1:\n"                     // 18
    "    site: a\n"               // 19
    "    local_as: 65001\n"       // 20
    "    router_id: 10.1.255.1\n" // 21
    "    neighbors:\n";           // 22

struct BadInput {
  const char* what;
  std::string text;      // the whole document
  std::string location;  // "topo.yaml:LINE:COL: PATH: "
  std::string message;   // expected at the start of the message after the location
};

std::string with_r1(const std::string& r1_lines) { return base + r1_head + r1_lines; }
std::string with_router(const std::string& router) { return base + router; }
std::string replace_line(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::vector<BadInput> cases() {
  const std::string nb = "      - tunnel: t1\n";  // line 23: neighbour 0 over t1
  return {
      {"unknown key with a suggestion", with_r1(nb + "        hodl_time: 9\n"),
       "topo.yaml:24:9: routers.r1.neighbors[0].hodl_time: ", "unknown key 'hodl_time' (did you mean 'hold_time'?)"},
      {"unknown top-level key", replace_line(with_r1(nb), "sites:", "sties:"), "topo.yaml:1:1: sties: ",
       "unknown key 'sties' (did you mean 'sites'?)"},
      {"unknown key without a near miss", with_r1(nb + "        colour: blue\n"),
       "topo.yaml:24:9: routers.r1.neighbors[0].colour: ", "unknown key 'colour'\n"},
      {"hold time of 2 seconds", with_r1(nb + "        hold_time: 2\n"),
       "topo.yaml:24:20: routers.r1.neighbors[0].hold_time: ",
       "must be 0 or between 3 and 65535 seconds (RFC 4271 §4.2), got 2"},
      {"keepalive more than a third of hold", with_r1(nb + "        hold_time: 9\n        keepalive: 5\n"),
       "topo.yaml:25:20: routers.r1.neighbors[0].keepalive: ", "must be at most a third of hold_time (9 s)"},
      {"keepalive with hold time 0", with_r1(nb + "        hold_time: 0\n        keepalive: 3\n"),
       "topo.yaml:25:20: routers.r1.neighbors[0].keepalive: ", "must be 0 when hold_time is 0"},
      {"BFD interval too short", with_r1(nb + "        bfd: {interval_ms: 5}\n"),
       "topo.yaml:24:28: routers.r1.neighbors[0].bfd.interval_ms: ",
       "must be between 10 and 60000 milliseconds, got 5"},
      {"BFD multiplier 0", with_r1(nb + "        bfd: {multiplier: 0}\n"),
       "topo.yaml:24:27: routers.r1.neighbors[0].bfd.multiplier: ", "must be between 1 and 255, got 0"},
      {"BFD auth without key file", with_r1(nb + "        bfd: {auth: {type: keyed-sha1}}\n"),
       "topo.yaml:24:21: routers.r1.neighbors[0].bfd.auth: ", "missing required key 'key_file'"},
      {"not a boolean", with_r1(nb + "        passive: yes\n"), "topo.yaml:24:18: routers.r1.neighbors[0].passive: ",
       "expected true or false, got 'yes'"},
      {"unknown tunnel", with_r1("      - tunnel: t9\n"), "topo.yaml:23:17: routers.r1.neighbors[0].tunnel: ",
       "no tunnel named 't9' (did you mean 't1'?)"},
      {"address not the tunnel's far end", with_r1(nb + "        address: 169.254.21.5\n"),
       "topo.yaml:24:18: routers.r1.neighbors[0].address: ", "tunnel t1 ends at 169.254.21.2 on r2, not 169.254.21.5"},
      {"remote_as not the far end's AS", with_r1(nb + "        remote_as: 65003\n"),
       "topo.yaml:24:20: routers.r1.neighbors[0].remote_as: ", "tunnel t1 leads to r2, whose local_as is 65002"},
      {"missing address and tunnel", with_r1("      - remote_as: 65009\n"), "topo.yaml:23:9: routers.r1.neighbors[0]: ",
       "missing required key 'address'"},
      {"duplicate neighbour name", with_r1(nb + "      - {name: t1, address: 10.9.9.9, remote_as: 65009}\n"),
       "topo.yaml:24:9: routers.r1.neighbors[1]: ", "duplicate neighbor name 't1' (also routers.r1.neighbors[0])"},
      {"ebgp_multihop on iBGP",
       with_r1(nb + "      - address: 10.9.9.9\n        remote_as: 65001\n        ebgp_multihop: 2\n"),
       "topo.yaml:26:24: routers.r1.neighbors[1].ebgp_multihop: ", "only applies to eBGP"},
      {"unknown policy with a suggestion",
       with_r1(nb + "        import: from-clod\n    policies:\n      from-cloud: {terms: [{match: {prefixes: [10.2.0.0/16]}}]}\n"),
       "topo.yaml:24:17: routers.r1.neighbors[0].import: ",
       "no policy named 'from-clod' in this router's policies (did you mean 'from-cloud'?)"},
      {"max_prefix without limit", with_r1(nb + "        max_prefix: {warning_only: true}\n"),
       "topo.yaml:24:21: routers.r1.neighbors[0].max_prefix: ", "missing required key 'limit'"},
      {"neighbors not a list", with_router("  r1:\n    site: a\n    local_as: 65001\n    router_id: 10.1.255.1\n    neighbors: {a: 1}\n"),
       "topo.yaml:22:16: routers.r1.neighbors: ", "expected a list, got a mapping"},
      {"AS number not a number", with_router("  r1:\n    site: a\n    local_as: abc\n    router_id: 10.1.255.1\n"),
       "topo.yaml:20:15: routers.r1.local_as: ", "expected a whole number between 1 and 4294967294, got 'abc'"},
      {"AS_TRANS as local AS", with_router("  r1:\n    site: a\n    local_as: 23456\n    router_id: 10.1.255.1\n"),
       "topo.yaml:20:15: routers.r1.local_as: ", "23456 is AS_TRANS (RFC 6793)"},
      {"missing local_as", with_router("  r1:\n    site: a\n    router_id: 10.1.255.1\n"), "topo.yaml:19:5: routers.r1: ",
       "missing required key 'local_as'"},
      {"missing router_id", with_router("  r1:\n    site: a\n    local_as: 65001\n"), "topo.yaml:19:5: routers.r1: ",
       "missing required key 'router_id'"},
      {"IPv6 router_id", with_router("  r1:\n    site: a\n    local_as: 65001\n    router_id: 2001:db8::1\n"),
       "topo.yaml:21:16: routers.r1.router_id: ", "expected an IPv4 address"},
      {"unknown site", with_router("  r1:\n    site: z\n    local_as: 65001\n    router_id: 10.1.255.1\n"),
       "topo.yaml:19:11: routers.r1.site: ", "no site named 'z'"},
      {"host bits in a prefix", with_r1("    networks: [10.1.0.1/16]\n"), "topo.yaml:23:16: routers.r1.networks[0]: ",
       "host bits set in 10.1.0.1/16 (did you mean 10.1.0.0/16?)"},
      {"duplicate router name", with_router("  r2:\n    site: b\n    local_as: 65002\n    router_id: 10.2.255.9\n"),
       "topo.yaml:18:3: routers.r2: ", "duplicate router name 'r2' (first defined at line 13)"},
      {"policy action not a verdict",
       with_r1("    policies:\n      p1:\n        terms:\n          - action: permit\n"),
       "topo.yaml:26:21: routers.r1.policies.p1.terms[0].action: ",
       "'permit' is not one of: accept, reject, next-term"},
      {"prefix-list lengths", with_r1("    policies:\n      p1:\n        terms:\n          - match: {prefixes: [\"10.0.0.0/8 le 4\"]}\n"),
       "topo.yaml:26:32: routers.r1.policies.p1.terms[0].match.prefixes[0]: ",
       "lengths must satisfy 8 <= ge <= le <= 32"},
      {"bad community", with_r1("    policies:\n      p1:\n        terms:\n          - set: {add_communities: [65536:1]}\n"),
       "topo.yaml:26:37: routers.r1.policies.p1.terms[0].set.add_communities[0]: ",
       "expected a community 'ASN:VALUE'"},
      {"prepend too long", with_r1("    policies:\n      p1:\n        terms:\n          - set: {prepend: 40}\n"),
       "topo.yaml:26:28: routers.r1.policies.p1.terms[0].set.prepend: ", "must be between 1 and 32 times, got 40"},
      {"tunnel ends in different subnets",
       replace_line(with_r1(nb), "r2, address: 169.254.21.2/30", "r2, address: 169.254.21.6/30"),
       "topo.yaml:11:31: tunnels.t1.ends[1].address: ",
       "both ends must be in the same subnet: 169.254.21.1/30 is in 169.254.21.0/30, 169.254.21.6/30 in 169.254.21.4/30"},
      {"tunnel end on the network address",
       replace_line(with_r1(nb), "r1, address: 169.254.21.1/30", "r1, address: 169.254.21.0/30"),
       "topo.yaml:10:31: tunnels.t1.ends[0].address: ", "169.254.21.0 is the network address of 169.254.21.0/30"},
      {"tunnel over an unknown underlay", replace_line(with_r1(nb), "underlay: isp1", "underlay: isp9"),
       "topo.yaml:8:15: tunnels.t1.underlay: ", "no underlay named 'isp9' (did you mean 'isp1'?)"},
      {"YAML syntax error", "sites: [a\nrouters: {}\n", "topo.yaml:2:", "YAML syntax error"},
      {"next_hop_self towards eBGP", with_r1(nb + "        next_hop_self: true\n"),
       "topo.yaml:24:24: routers.r1.neighbors[0].next_hop_self: ", "only applies to iBGP (remote_as = local_as)"},
      {"iBGP neighbour at no router's LAN address", with_r1("      - {address: 10.1.0.9, remote_as: 65001}\n"),
       "topo.yaml:23:19: routers.r1.neighbors[0].address: ",
       "iBGP neighbour 10.1.0.9 is no router's lan_address: an iBGP session without a tunnel runs between two "
       "routers of one site, to the sibling's lan_address (no other router of site a has a lan_address)\n"},
      {"iBGP neighbour at the LAN address of another site's router",
       replace_line(with_r1("      - {address: 10.2.0.1, remote_as: 65001}\n"), "    local_as: 65002\n",
                    "    local_as: 65002\n    lan_address: 10.2.0.1/16\n"),
       "topo.yaml:24:19: routers.r1.neighbors[0].address: ",
       "10.2.0.1 is the LAN address of r2 in site b: an iBGP session without a tunnel runs on this router's own "
       "site LAN"},
      {"LAN address outside the site",
       with_router("  r1:\n    site: a\n    local_as: 65001\n    router_id: 10.1.255.1\n"
                   "    lan_address: 10.2.0.1/16\n    neighbors: [{tunnel: t1}]\n"),
       "topo.yaml:22:18: routers.r1.lan_address: ", "10.2.0.1 is outside the prefixes of site a\n"},
  };
}

TEST(ConfigBadInput, EveryCaseNamesFileLineColumnAndKey) {
  for (const BadInput& c : cases()) {
    SCOPED_TRACE(c.what);
    auto result = load_topology_string(c.text, "topo.yaml");
    ASSERT_FALSE(result.ok());
    const std::string& message = result.message();
    const std::string first_line = message.substr(0, message.find('\n'));
    // The expected error is the first one reported, located exactly.
    if (c.location.back() == ' ') {
      EXPECT_EQ(first_line.substr(0, c.location.size()), c.location) << message;
      std::string expected = c.message;
      const bool whole = !expected.empty() && expected.back() == '\n';
      if (whole) expected.pop_back();
      const std::string rest = first_line.substr(std::min(first_line.size(), c.location.size()));
      if (whole)
        EXPECT_EQ(rest, expected) << message;
      else
        EXPECT_EQ(rest.substr(0, expected.size()), expected) << message;
    } else {
      EXPECT_EQ(first_line.rfind(c.location, 0), 0u) << message;
      EXPECT_NE(first_line.find(c.message), std::string::npos) << message;
    }
  }
}

TEST(ConfigBadInput, AtLeastTwentyCases) { EXPECT_GE(cases().size(), 20u); }

TEST(ConfigBadInput, SeveralErrorsAreCollected) {
  auto result = load_topology_string(
      with_r1("      - tunnel: t1\n        hold_time: 2\n        passive: maybe\n    local_pref: 5\n"), "topo.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("topo.yaml:24:20: routers.r1.neighbors[0].hold_time:"), std::string::npos);
  EXPECT_NE(result.message().find("topo.yaml:25:18: routers.r1.neighbors[0].passive:"), std::string::npos);
  EXPECT_NE(result.message().find("topo.yaml:26:5: routers.r1.local_pref: unknown key"), std::string::npos);
}

TEST(ConfigBadInput, DefaultsErrorIsReportedOnceAtTheDefaults) {
  auto result = load_topology_string(
      with_r1("      - tunnel: t1\n      - {address: 10.9.9.9, remote_as: 65009}\n    neighbor_defaults:\n      hold_time: 1\n"),
      "topo.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "topo.yaml:26:18: routers.r1.neighbor_defaults.hold_time: must be 0 or between 3 and 65535 seconds "
            "(RFC 4271 §4.2), got 1");
}

TEST(ConfigBadInput, DuplicateKeyInOneMapping) {
  auto result = load_topology_string(with_r1("      - tunnel: t1\n        hold_time: 9\n        hold_time: 12\n"),
                                     "topo.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message().rfind("topo.yaml:25:9: routers.r1.neighbors[0].hold_time: duplicate key 'hold_time'", 0),
            0u)
      << result.message();
}

TEST(ConfigBadInput, MissingFileIsAnErrorNotACrash) {
  auto result = load_topology("/nonexistent/halink/topo.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("/nonexistent/halink/topo.yaml: cannot read"), std::string::npos);
}

TEST(ConfigBadInput, EmptyDocumentNeedsSitesAndRouters) {
  auto result = load_topology_string("", "empty.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "empty.yaml:1:1: missing required key 'sites'\nempty.yaml:1:1: missing required key 'routers'");
}

}  // namespace
}  // namespace halink::config

namespace halink::config {
namespace {

// Odd shapes never crash or throw: each is an error with a location.
TEST(ConfigBadInput, OddDocumentsAreErrorsNotCrashes) {
  const char* documents[] = {
      "42\n",
      "[1, 2, 3]\n",
      "sites: 5\nrouters: [r1, r2]\n",
      "sites: {a: [10.0.0.0/8]}\nrouters: {r1: [a]}\n",
      "sites: {a: {prefixes: {x: 1}}}\nrouters: {r1: {site: a, local_as: [1], router_id: {a: b}}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {r1: {site: a, local_as: 1, router_id: 10.0.0.1, neighbors: [5, [1], ~]}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {r1: {site: a, local_as: 99999999999999999999999, router_id: 10.0.0.1}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {r1: {site: a, local_as: 1, router_id: 10.0.0.1, policies: {p: {terms: [{match: {prefixes: [\"10.0.0.0/8 ge\"]}}]}}}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {? [x]: {}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {r1: {<<: 5}}\n",
      "sites: {a: {prefixes: [10.0.0.0/8]}}\nrouters: {r1: *nothing}\n",
      "tunnels: {t: {underlay: u, ends: [{router: x, address: 1.2.3.4/99}, {}]}}\n",
      "\t- not yaml: [\n",
  };
  for (const char* text : documents) {
    SCOPED_TRACE(text);
    auto result = load_topology_string(text, "odd.yaml");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.message().rfind("odd.yaml:", 0), 0u) << result.message();
    auto router = load_router_string(text, "r1", "odd.yaml");
    EXPECT_FALSE(router.ok());
  }
}

}  // namespace
}  // namespace halink::config

#include "topology_builder.h"

#include <gtest/gtest.h>

#include <vector>

#include "config/loader.h"

namespace halink::design::test {

namespace {

struct TunnelSpec {
  std::string name, onprem, cloud, underlay;
};

std::vector<TunnelSpec> tunnels_of(const DesignSpec& spec) {
  std::vector<TunnelSpec> out;
  if (spec.active_passive) {
    int i = 1;
    for (const char* isp : {"isp1", "isp2"})
      for (const char* r : {"r1", "r2"})
        for (const char* g : {"g1", "g2"}) out.push_back({"t" + std::to_string(i++), r, g, isp});
    return out;
  }
  int i = 1;
  for (const char* r : {"r1", "r2"})
    for (const char* g : {"g1", "g2"})
      out.push_back({"t" + std::to_string(i++), r, g, spec.single_isp ? "isp1" : (std::string(r) == "r1" ? "isp1" : "isp2")});
  return out;
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string router_yaml(const DesignSpec& spec, const std::string& name, const std::vector<TunnelSpec>& tunnels) {
  const bool cloud = name[0] == 'g';
  const std::string index = name.substr(1);
  std::string y = "  " + name + ":\n";
  y += "    site: " + std::string(cloud ? "cloud" : "onprem") + "\n";
  if (cloud && !spec.cloud_profile.empty()) y += "    profile: " + spec.cloud_profile + "\n";
  y += "    local_as: " + std::string(cloud ? "65010" : "65001") + "\n";
  y += "    router_id: 10." + std::string(cloud ? "2" : "1") + ".0." + index + "\n";
  y += "    networks: [10." + std::string(cloud ? "2" : "1") + ".0.0/16]\n";
  y += "    ecmp: {max_paths: 8}\n";
  const bool site_pair = spec.site_pairs && !(cloud && !spec.cloud_profile.empty());
  const std::string lan = std::string("10.") + (cloud ? "2" : "1") + ".0.";
  if (site_pair) y += "    lan_address: " + lan + index + "/16\n";
  y += "    policies:\n      backup:\n        terms:\n          - {name: prepend, set: {prepend: 1}, action: accept}\n"
       "        default: accept\n";
  if (cloud && !spec.cloud_profile.empty() && !spec.cloud_neighbors) return y;
  y += "    neighbor_defaults:\n      import: all\n      export: all\n";
  y += indent(cloud ? spec.cloud_neighbor_keys : spec.onprem_neighbor_keys, "      ");
  y += "    neighbors:\n";
  for (const TunnelSpec& t : tunnels) {
    if (t.onprem != name && t.cloud != name) continue;
    if (name == "g2" && t.name == spec.g2_skip_tunnel) continue;
    y += "      - tunnel: " + t.name + "\n";
    const bool prepend = t.underlay == "isp2" && spec.active_passive &&
                         (cloud ? spec.prepend_isp2_cloud : spec.prepend_isp2_onprem);
    if (prepend) y += "        export: backup\n";
  }
  if (site_pair) {
    const std::string sibling = index == "1" ? "2" : "1";
    y += "      - {name: " + std::string(1, name[0]) + sibling + ", address: " + lan + sibling +
         ", remote_as: " + (cloud ? "65010" : "65001") + ", interface: lan0" +
         (spec.site_pairs_next_hop_self ? ", next_hop_self: true}\n" : "}\n");
  }
  if (name == "r1" && !spec.r1_extra.empty()) y += indent(spec.r1_extra, "    ");
  return y;
}

}  // namespace

std::string design_yaml(const DesignSpec& spec) {
  const std::vector<TunnelSpec> tunnels = tunnels_of(spec);
  std::string y = "name: test-design\n";
  y += "sites:\n  onprem:\n    prefixes: [10.1.0.0/16]\n  cloud:\n    prefixes: [10.2.0.0/16]\n";
  y += "underlays:\n  isp1:\n    bandwidth_mbps: 1000\n";
  if (!spec.single_isp) y += std::string("  isp2:\n    bandwidth_mbps: ") + (spec.active_passive ? "250" : "1000") + "\n";
  y += "routers:\n";
  for (const char* r : {"r1", "r2", "g1", "g2"}) y += router_yaml(spec, r, tunnels);
  y += "tunnels:\n";
  int block = 0;
  for (const TunnelSpec& t : tunnels) {
    const int base = 4 * block++;
    y += "  " + t.name + ":\n    underlay: " + t.underlay + "\n    ends:\n";
    y += "      - {router: " + t.onprem + ", address: 169.254.21." + std::to_string(base + 1) + "/30}\n";
    y += "      - {router: " + t.cloud + ", address: 169.254.21." + std::to_string(base + 2) + "/30}\n";
  }
  if (spec.single_firewall) {
    y += "devices:\n  fw1:\n    kind: firewall\n    site: onprem\n    outside: [r1, r2]\n";
    y += indent(spec.firewall_extra, "    ");
  }
  y += "hosts:\n  h1:\n    site: onprem\n    address: 10.1.0.10\n";
  return y;
}

config::Topology load_yaml(const std::string& yaml) {
  auto loaded = config::load_topology_string(yaml, "test.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.message()) << "\n" << yaml;
  if (!loaded.ok()) return {};
  return std::move(loaded).value();
}

config::Topology load_design(const DesignSpec& spec) { return load_yaml(design_yaml(spec)); }

}  // namespace halink::design::test

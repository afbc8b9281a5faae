// Single points of failure: which one element (router, gateway, device,
// tunnel, underlay) disconnects two places that must talk, and static
// routes that would need a human after a failure (the article's "hardcoded
// routes" SPOF).
//
// Pairs checked: every two places of different sites, a place being a
// site's LAN or a host that is not simply on it (e.g. behind a firewall). Failing an element takes down the element and what depends on
// it (an underlay takes its tunnels). Connectivity is the data-path graph of
// graph.h, so a tunnel only counts when something routes over it.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"
#include "core/ip.h"
#include "design/graph.h"
#include "design/report.h"

namespace halink::design {

struct EndpointPair {
  ElementId from = 0;
  ElementId to = 0;
  std::string description;  // "site onprem <-> site azure", "host h1 <-> site azure"
};

struct SinglePointOfFailure {
  ElementId element = 0;
  std::vector<std::string> pairs_lost;  // descriptions of the pairs it disconnects
  std::string why;                      // "firewall fw1 is the only path between ..."
};

// Two elements that together disconnect a pair while neither does alone.
struct DoubleFailure {
  ElementId first = 0;
  ElementId second = 0;
  std::vector<std::string> pairs_lost;
};

// A static route and where it points.
struct StaticRouteDependency {
  std::string holder;  // router or device that has the route
  Prefix prefix;
  std::vector<std::string> next_hops;  // elements (or addresses) the route points at
  std::vector<std::string> sites_behind;  // other sites whose prefixes it covers
};

struct FailureAnalysis {
  std::vector<EndpointPair> pairs;
  std::vector<EndpointPair> disconnected;  // no path even with nothing failed
  std::vector<SinglePointOfFailure> single_points;
  std::vector<DoubleFailure> double_failures;  // only with max_order >= 2
  std::vector<StaticRouteDependency> static_routes;
  int max_order = 1;

  const SinglePointOfFailure* single_point(const TopologyGraph& graph, const std::string& name) const;
};

// max_order 1: single failures; 2: also every pair of elements (`--k 2`).
FailureAnalysis analyse_failures(const config::Topology& topology, const TopologyGraph& graph, int max_order = 1);

// Descriptions of the pairs lost while the named elements are down
// (unknown names are ignored). Empty: the failure is survived.
std::vector<std::string> pairs_lost(const TopologyGraph& graph, const FailureAnalysis& analysis,
                                    const std::vector<std::string>& failed);

void report_failures(const config::Topology& topology, const TopologyGraph& graph, const FailureAnalysis& analysis,
                     Report& report);

}  // namespace halink::design

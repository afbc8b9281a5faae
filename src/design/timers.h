// BGP and BFD settings of both ends of every session, and what they mean
// when a tunnel fails silently (a black hole, no carrier loss).
//
//  - Hold time: each end proposes one in its OPEN; both use the smaller
//    (RFC 4271 §4.2). An end sends keepalives at a third of it unless the
//    provider fixes its interval (Azure: 60 s whatever is negotiated).
//  - BFD: a session only comes up when both ends run it. Each end's
//    detection time is the remote's Detect Mult times the agreed interval,
//    the slower of local RequiredMinRx and remote DesiredMinTx
//    (RFC 5880 §6.8.4), so it can differ per direction.
//  - IPsec dead-peer detection of a provider gateway tears the tunnel (and
//    the session) down after its timeout.
// Each end stops sending into a dead tunnel after its own detection time;
// the difference between the two ends is the window in which one direction
// keeps losing traffic after the other has moved (the article: timers must
// be "the same - or very similar - on both sides").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/topology.h"
#include "core/time.h"
#include "design/graph.h"
#include "design/report.h"
#include "design/sessions.h"

namespace halink::design {

struct SideTimers {
  std::string router;
  std::string neighbor;            // the neighbour's name; "(provider)" when implied
  Duration proposed_hold;          // Hold Time in its OPEN
  Duration keepalive;              // interval it actually sends keepalives at
  bool timers_fixed = false;       // the provider does not negotiate them
  std::optional<config::BfdSettings> bfd;  // as configured
  bool bfd_possible = true;                // false: the provider gateway has no BFD
  std::optional<Duration> dead_peer_detection;
  Duration detection = Duration::infinite();  // notices a silent tunnel failure after
  std::string mechanism;                       // what notices it
};

struct SessionTimers {
  std::string session;  // "r1-g1 over t1"
  std::string tunnel;
  SideTimers a;
  SideTimers b;
  Duration negotiated_hold;
  bool bfd_up = false;
};

struct TimerAnalysis {
  std::vector<SessionTimers> sessions;
  const SessionTimers* find(const std::string& tunnel) const;
};

// Findings go to `report`, with one DetectionWindow per session.
TimerAnalysis analyse_timers(const config::Topology& topology, const SessionMap& sessions, const TopologyGraph& graph,
                             Report& report);

}  // namespace halink::design

package io.virta.testkit.archfixture.cycle.up;

import io.virta.testkit.archfixture.cycle.down.Down;

/** Half of a package cycle, for ArchitectureRulesTest. */
public class Up {
    Down down;
}

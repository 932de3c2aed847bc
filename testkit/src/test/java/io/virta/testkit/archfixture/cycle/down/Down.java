package io.virta.testkit.archfixture.cycle.down;

import io.virta.testkit.archfixture.cycle.up.Up;

/** The other half of the package cycle, for ArchitectureRulesTest. */
public class Down {
    Up up;
}

package io.virta.testkit.archfixture.harness;

import com.google.gson.JsonObject;
import io.virta.testkit.TestClips;

/** "Production" code that uses a test harness and a library, for ArchitectureRulesTest. */
public class UsesHarness {
    TestClips clips;
    JsonObject json;
}

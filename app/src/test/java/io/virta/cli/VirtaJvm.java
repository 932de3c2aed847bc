package io.virta.cli;

import io.virta.producer.supervise.JvmLaunch;
import java.util.List;

/**
 * The command line of a child {@code virta} JVM, as the launcher would start it: this JVM's java, the
 * flags it got from virta.jvm.flags (surefire's argLine; Chronicle Queue needs them), the test class path
 * ({@link JvmLaunch#likeThisJvm}).
 */
public final class VirtaJvm {
    private VirtaJvm() {
    }

    public static List<String> command(String... virtaArguments) {
        return JvmLaunch.likeThisJvm(Virta.class).command(List.of(virtaArguments));
    }
}

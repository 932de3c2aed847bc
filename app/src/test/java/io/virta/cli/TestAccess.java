package io.virta.cli;

/** Lets tests in other packages run package-private commands in-process. */
public final class TestAccess {
    private TestAccess() {
    }

    public static int hub(String[] argv) throws InterruptedException {
        return HubCommand.run(argv);
    }
}

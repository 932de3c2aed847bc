package io.virta.producer.supervise;

/** A stand-in Java worker: prints its arguments on one line, then waits to be stopped. */
public final class PrintArguments {
    private PrintArguments() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println(String.join(" ", args));
        Thread.sleep(60_000);
    }
}

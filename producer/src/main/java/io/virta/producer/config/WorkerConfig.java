package io.virta.producer.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One analyzer process the producer launches and keeps running: an entry of the YAML file's
 * {@code workers:} list (docs/workers.md, "Workers the producer supervises").
 *
 * <p>Either {@code worker} names a Java worker ({@code motion}, or a class implementing the worker
 * SDK's {@code Worker}), which runs as {@code virta worker} in a JVM of its own; or {@code command}
 * is any program, e.g. a Python worker. In {@code command} and {@code args}, {@code {camera}},
 * {@code {control}}, {@code {hub}} and {@code {name}} are replaced when the process starts, since
 * the control address is only known then (port 0).
 *
 * @param javaWorker the {@code worker:} value, or null for a {@code command:} worker
 * @param command    the {@code command:} program and its arguments; empty for a Java worker
 * @param args       extra arguments after the Java worker's own, or after {@code command}
 * @param directory  the working directory, or null for the producer's
 */
public record WorkerConfig(String name, String camera, String javaWorker, List<String> command, List<String> args,
        Map<String, String> env, Path directory, Duration restartMin, Duration restartMax) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Set<String> PLACEHOLDERS = Set.of("camera", "control", "hub", "name");

    static List<WorkerConfig> parseAll(YamlNode list, Set<String> cameras) throws ConfigException {
        List<WorkerConfig> workers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlNode node : list.list()) {
            WorkerConfig worker = parse(node, cameras);
            if (!names.add(worker.name())) {
                throw node.get("name").error("'" + worker.name() + "' is used by another worker; names must be unique");
            }
            workers.add(worker);
        }
        return List.copyOf(workers);
    }

    private static WorkerConfig parse(YamlNode w, Set<String> cameras) throws ConfigException {
        w.allowOnly("name", "camera", "worker", "command", "args", "env", "directory", "restart");
        YamlNode nameNode = w.get("name");
        String name = nameNode.requiredString();
        if (!NAME.matcher(name).matches()) {
            throw nameNode.error("'" + name + "': use 1..64 letters, digits, '_', '-' and '.'");
        }
        YamlNode cameraNode = w.get("camera");
        String camera = cameraNode.requiredString();
        if (!cameras.contains(camera)) {
            throw cameraNode.error("no camera named '" + camera + "' in cameras:; known: " + String.join(", ", cameras));
        }
        YamlNode workerNode = w.get("worker");
        YamlNode commandNode = w.get("command");
        String javaWorker = workerNode.string(null);
        List<String> command = strings(commandNode);
        if ((javaWorker == null) == command.isEmpty()) {
            throw (javaWorker == null ? workerNode : commandNode).error(javaWorker == null
                    ? "give either worker: (a Java worker, e.g. motion) or command: (any program, as a list)"
                    : "a worker has either worker: or command:, not both");
        }
        if (!command.isEmpty()) {
            Path program = Path.of(command.getFirst());
            if (program.isAbsolute() && !Files.isExecutable(program)) {
                throw commandNode.error("'" + program + "' is not an executable file");
            }
        }
        List<String> args = strings(w.get("args"));
        checkPlaceholders(commandNode, command);
        checkPlaceholders(w.get("args"), args);
        Map<String, String> env = new LinkedHashMap<>();
        YamlNode envNode = w.get("env");
        for (Object key : envNode.map().keySet()) {
            env.put(String.valueOf(key), envNode.get(String.valueOf(key)).requiredString());
        }
        String directory = w.get("directory").string(null);
        if (directory != null && !Files.isDirectory(Path.of(directory))) {
            throw w.get("directory").error("'" + directory + "' is not a directory");
        }
        YamlNode restart = w.get("restart");
        restart.allowOnly("minSeconds", "maxSeconds");
        double min = restart.get("minSeconds").decimal(1, 0.1, 3600);
        double max = restart.get("maxSeconds").decimal(Math.max(30, min), min, 86400);
        return new WorkerConfig(name, camera, javaWorker, command, args, Map.copyOf(env),
                directory == null ? null : Path.of(directory),
                Duration.ofMillis((long) (min * 1000)), Duration.ofMillis((long) (max * 1000)));
    }

    private static List<String> strings(YamlNode node) throws ConfigException {
        List<String> values = new ArrayList<>();
        for (YamlNode item : node.list()) {
            values.add(item.requiredString());
        }
        return List.copyOf(values);
    }

    private static void checkPlaceholders(YamlNode node, List<String> values) throws ConfigException {
        for (String value : values) {
            var matcher = PLACEHOLDER.matcher(value);
            while (matcher.find()) {
                if (!PLACEHOLDERS.contains(matcher.group(1))) {
                    throw node.error("'" + matcher.group() + "' in '" + value + "' is not a placeholder; known: {camera},"
                            + " {control}, {hub}, {name}");
                }
            }
        }
    }

    /** {@code text} with the placeholders filled in. */
    public static String expand(String text, Map<String, String> values) {
        var matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            matcher.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value != null ? value : matcher.group()));
        }
        return matcher.appendTail(out).toString();
    }
}

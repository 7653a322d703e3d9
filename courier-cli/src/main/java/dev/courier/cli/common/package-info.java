/**
 * What the commands of {@code dev.courier.cli} and {@code dev.courier.cli.bench} share: {@link
 * dev.courier.cli.common.ExitCodes}, JSON quoting ({@link dev.courier.cli.common.Json}) and the bundled data set
 * ({@link dev.courier.cli.common.BundledData}).
 *
 * <p>This package imports nothing of the commands, so both command packages may import it without a cycle between
 * them: {@code cli} registers the commands of {@code cli.bench}, and {@code cli.bench} imports only this package
 * and the libraries.
 */
package dev.courier.cli.common;

/**
 * The load tools: engines that put a server under load and check every answer, apart from the commands that run
 * them ({@code courier bench}, {@code soak} and {@code gen-data} in courier-cli) so that they can be used, tested
 * and grown on their own.
 *
 * <ul>
 *   <li>{@link dev.courier.load.LoadEngine}: small requests over C connections, closed or open loop, latency in
 *   an HdrHistogram; it drives a {@link dev.courier.load.Target} ({@link dev.courier.load.CourierTarget},
 *   {@link dev.courier.load.RedisTarget}) whose answers are checked against {@link dev.courier.load.PointData}.</li>
 *   <li>{@link dev.courier.load.ConnectionHolder}: many connections opened, verified and held.</li>
 *   <li>{@link dev.courier.load.FileBench}: one file downloaded K times, every copy checked.</li>
 *   <li>{@link dev.courier.load.Soak}: verified points and downloads for a fixed time, for fault injection.</li>
 *   <li>{@link dev.courier.load.EcgDataSet}: synthetic data sets in the bundled format.</li>
 * </ul>
 *
 * <p>Built on the client library and the transport, never on the server: the checks read the data and the files
 * themselves (CSV parsing here, SHA-256 from the JDK), so a server bug cannot hide behind shared code. A target for
 * another server brings its driver to this module.
 */
package dev.courier.load;

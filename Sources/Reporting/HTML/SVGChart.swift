import Foundation

/// A small line-and-point chart drawn as inline SVG: axes with a few ticks, one polyline per series, a circle per
/// point (class `point`, with a `<title>` tooltip) and optional vertical error bars and horizontal guide lines.
/// Colours come from CSS variables, so the page's dark mode applies. The SVG says how many points it draws
/// (`data-points`), which the browser test checks against the circles.
struct SVGChart {
    struct Point {
        var x: Double
        var y: Double
        var low: Double?
        var high: Double?
        var label: String
        /// A CSS class for the marker (e.g. `keep`, `discard`).
        var marker: String = ""
    }

    struct Series {
        var name: String
        var points: [Point]
        /// Draw a line through the points.
        var line = true
        /// Draw a circle at each point.
        var markers = true
        /// Draw the line as steps (a running best).
        var steps = false
        var colour: Int
    }

    /// A dashed reference line: horizontal at `value` on the y axis, or vertical on the x axis.
    struct Guide {
        var value: Double
        var label: String
        var vertical = false
    }

    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var guides: [Guide] = []
    var yRange: ClosedRange<Double>? = nil
    var formatX: (Double) -> String = SVGChart.label
    var formatY: (Double) -> String = SVGChart.label

    private let width = 640.0
    private let height = 300.0
    private let left = 56.0
    private let right = 16.0
    private let top = 16.0
    private let bottom = 44.0

    var pointCount: Int { series.filter(\.markers).reduce(0) { $0 + $1.points.count } }

    var svg: String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else {
            return "<p class=\"empty\" id=\"\(id)\">No data yet for “\(HTMLText.escape(title))”.</p>"
        }
        let xs = all.map(\.x) + guides.filter(\.vertical).map(\.value)
        var ys = all.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] } + guides.filter { !$0.vertical }.map(\.value)
        if let yRange { ys += [yRange.lowerBound, yRange.upperBound] }
        var (x0, x1) = (xs.min()!, xs.max()!)
        var (y0, y1) = (ys.min()!, ys.max()!)
        if x0 == x1 { (x0, x1) = (x0 - 1, x1 + 1) }
        if y0 == y1 { (y0, y1) = (y0 - 0.5, y1 + 0.5) }
        if yRange == nil {
            let pad = (y1 - y0) * 0.06
            (y0, y1) = (y0 >= 0 && y0 - pad < 0 ? 0 : y0 - pad, y1 + pad)
        }
        let xTicks = Self.ticks(x0, x1)
        let yTicks = Self.ticks(y0, y1)
        (x0, x1) = (min(x0, xTicks.first ?? x0), max(x1, xTicks.last ?? x1))
        (y0, y1) = (min(y0, yTicks.first ?? y0), max(y1, yTicks.last ?? y1))
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var parts: [String] = []
        parts.append(
            "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
                + "aria-label=\"\(HTMLText.escape(title))\" data-points=\"\(pointCount)\">")
        parts.append("<title>\(HTMLText.escape(title))</title>")
        // Axes and ticks.
        parts.append(
            "<path class=\"axis\" d=\"M\(f(left)) \(f(top)) V\(f(top + plotHeight)) H\(f(left + plotWidth))\"/>")
        for value in yTicks {
            let y = py(value)
            parts.append("<path class=\"grid\" d=\"M\(f(left)) \(f(y)) H\(f(left + plotWidth))\"/>")
            parts.append(
                "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">"
                    + "\(HTMLText.escape(formatY(value)))</text>")
        }
        for value in xTicks {
            parts.append(
                "<text class=\"tick\" x=\"\(f(px(value)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">"
                    + "\(HTMLText.escape(formatX(value)))</text>")
        }
        parts.append(
            "<text class=\"axis-label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\" "
                + "text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>")
        parts.append(
            "<text class=\"axis-label\" x=\"12\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 \(f(top + plotHeight / 2)))\">\(HTMLText.escape(yLabel))</text>")
        for guide in guides {
            if guide.vertical {
                let x = px(guide.value)
                parts.append("<path class=\"guide\" d=\"M\(f(x)) \(f(top)) V\(f(top + plotHeight))\"/>")
                parts.append(
                    "<text class=\"guide-label\" x=\"\(f(x - 4))\" y=\"\(f(top + 10))\" text-anchor=\"end\">"
                        + "\(HTMLText.escape(guide.label))</text>")
            } else {
                let y = py(guide.value)
                parts.append("<path class=\"guide\" d=\"M\(f(left)) \(f(y)) H\(f(left + plotWidth))\"/>")
                parts.append(
                    "<text class=\"guide-label\" x=\"\(f(left + plotWidth - 4))\" y=\"\(f(y - 4))\" "
                        + "text-anchor=\"end\">\(HTMLText.escape(guide.label))</text>")
            }
        }
        for item in series {
            let colour = "series-\(item.colour % 6)"
            if item.line, item.points.count > 1 {
                var path = "M\(f(px(item.points[0].x))) \(f(py(item.points[0].y)))"
                for point in item.points.dropFirst() {
                    if item.steps { path += " H\(f(px(point.x)))" }
                    path += " \(item.steps ? "V" : "L")" + (item.steps ? f(py(point.y)) : "\(f(px(point.x))) \(f(py(point.y)))")
                }
                parts.append(
                    "<path class=\"line \(colour)\(item.steps ? " steps" : "")\" d=\"\(path)\">"
                        + "<title>\(HTMLText.escape(item.name))</title></path>")
            }
            guard item.markers else { continue }
            for point in item.points {
                if let low = point.low, let high = point.high, high > low {
                    parts.append(
                        "<path class=\"errorbar \(colour)\" d=\"M\(f(px(point.x))) \(f(py(low))) V\(f(py(high)))\"/>")
                }
                parts.append(
                    "<circle class=\"point \(colour) \(point.marker)\" cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" "
                        + "r=\"4.5\"><title>\(HTMLText.escape(point.label))</title></circle>")
            }
        }
        parts.append("</svg>")
        let legend = series.count > 1
            ? "<ul class=\"legend\">"
                + series.map { "<li><span class=\"swatch series-\($0.colour % 6)\"></span>\(HTMLText.escape($0.name))</li>" }
                .joined() + "</ul>"
            : ""
        return parts.joined(separator: "\n") + legend
    }
}

extension SVGChart {
    /// About five round tick values covering `low...high` (steps of 1, 2 or 5 times a power of ten).
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let rough = (high - low) / 4
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(low / step) * step
        return stride(from: first, through: high + step * 0.999, by: step).map { ($0 / step).rounded() * step }
    }

    /// A tick label: no more digits than the step needs.
    static func label(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e6 { return String(Int(value)) }
        return String(format: "%g", (value * 1000).rounded() / 1000)
    }
}

/// HTML escaping.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

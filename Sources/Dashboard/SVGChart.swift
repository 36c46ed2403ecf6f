import Foundation

/// Charts drawn on the server as SVG: grouped bars and lines. Every label is XML-escaped
/// here, which is why a page may insert the result unescaped.
enum SVGChart {
    struct Series {
        var name: String
        var values: [Double]
    }

    static let colors = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#1b7c83"]

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
    static func ceiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func legend(_ series: [Series], x: Double) -> String {
        var svg = ""
        for (index, item) in series.enumerated() {
            let y = 14 + Double(index) * 16
            svg += "<rect x=\"\(number(x))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" fill=\"\(colors[index % colors.count])\"/>"
            svg += "<text x=\"\(number(x + 14))\" y=\"\(number(y))\">\(escape(item.name))</text>"
        }
        return svg
    }

    /// The `<svg>` element's opening and its title, for a chart of this size.
    private static func opening(title: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(number(width))\" height=\"\(number(height))\" viewBox=\"0 0 \(number(width)) \(number(height))\">"
            + "<title>\(escape(title))</title>"
    }

    /// Five horizontal grid lines from 0 to `top`, each labelled on the left.
    private static func grid(top: Double, unit: String, left: Double, plotTop: Double, width: Double, height: Double) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = top * Double(tick) / 4
            let y = plotTop + height - height * Double(tick) / 4
            svg += "<line x1=\"\(number(left))\" x2=\"\(number(left + width))\" y1=\"\(number(y))\" y2=\"\(number(y))\" stroke=\"#d8dee4\"/>"
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\">\(escape(number(value) + unit))</text>"
        }
        return svg
    }

    /// Grouped vertical bars: one group per category, one bar per series.
    static func bars(title: String, categories: [String], series: [Series], unit: String = "") -> String {
        guard !categories.isEmpty, !series.isEmpty else { return empty(title) }
        let plotLeft = 48.0, plotTop = 16.0, plotHeight = 200.0
        let groupWidth = max(36.0, Double(series.count) * 18 + 14)
        let plotWidth = groupWidth * Double(categories.count)
        let width = plotLeft + plotWidth + 170
        let height = plotTop + plotHeight + 60
        let top = ceiling(series.flatMap(\.values).filter { $0.isFinite }.max() ?? 0)
        var svg = opening(title: title, width: width, height: height)
        svg += grid(top: top, unit: unit, left: plotLeft, plotTop: plotTop, width: plotWidth, height: plotHeight)
        for (column, category) in categories.enumerated() {
            let groupX = plotLeft + Double(column) * groupWidth + 7
            for (index, item) in series.enumerated() {
                let value = column < item.values.count && item.values[column].isFinite ? max(0, item.values[column]) : 0
                let barHeight = plotHeight * value / top
                let x = groupX + Double(index) * 18
                svg += "<rect class=\"bar\" x=\"\(number(x))\" y=\"\(number(plotTop + plotHeight - barHeight))\" width=\"16\" height=\"\(number(barHeight))\" fill=\"\(colors[index % colors.count])\">"
                svg += "<title>\(escape("\(category): \(item.name) \(number(value))\(unit)"))</title></rect>"
            }
            let label = category.count > 14 ? String(category.prefix(13)) + "…" : category
            svg += "<text x=\"\(number(groupX + groupWidth / 2 - 7))\" y=\"\(number(plotTop + plotHeight + 16))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        svg += legend(series, x: plotLeft + plotWidth + 16)
        return svg + "</svg>"
    }

    /// Lines over labelled points (trends).
    static func lines(title: String, labels: [String], series: [Series]) -> String {
        guard labels.count > 0, !series.isEmpty else { return empty(title) }
        let plotLeft = 48.0, plotTop = 16.0, plotHeight = 200.0
        let step = max(8.0, min(60.0, 900.0 / Double(max(1, labels.count))))
        let plotWidth = step * Double(max(1, labels.count - 1))
        let width = plotLeft + plotWidth + 190
        let height = plotTop + plotHeight + 60
        let top = ceiling(series.flatMap(\.values).filter { $0.isFinite }.max() ?? 0)
        var svg = opening(title: title, width: width, height: height)
        svg += grid(top: top, unit: "", left: plotLeft, plotTop: plotTop, width: plotWidth, height: plotHeight)
        let every = max(1, Int((60 / step).rounded(.up)))
        for (index, label) in labels.enumerated() where index % every == 0 {
            svg += "<text x=\"\(number(plotLeft + Double(index) * step))\" y=\"\(number(plotTop + plotHeight + 16))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        for (index, item) in series.enumerated() {
            let points = item.values.enumerated().map { offset, value in
                "\(number(plotLeft + Double(offset) * step)),\(number(plotTop + plotHeight - plotHeight * (value.isFinite ? max(0, value) : 0) / top))"
            }.joined(separator: " ")
            svg += "<polyline class=\"line\" fill=\"none\" stroke-width=\"2\" stroke=\"\(colors[index % colors.count])\" points=\"\(points)\"/>"
        }
        svg += legend(series, x: plotLeft + plotWidth + 16)
        return svg + "</svg>"
    }

    static func empty(_ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"320\" height=\"40\"><title>\(escape(title))</title><text x=\"8\" y=\"24\">No data in this period</text></svg>"
    }
}

import Foundation

/// The state of Paul Kellet's refined pink filter (`NoiseSignal.pink`) and its stationary
/// distribution.
///
/// Driven by unit white noise w_t, the filter keeps six one-pole sections and a one-sample delay:
///
///     b_k(t) = a_k b_k(t-1) + g_k w_t   (k = 0...5),    b_6(t) = d w_t
///
/// After an infinite run, b_k(t) = sum_j a_k^j g_k w_(t-j), so the seven values are jointly Gaussian
/// with mean 0 and covariance
///
///     S[k][l] = g_k g_l / (1 - a_k a_l),   S[k][6] = g_k d,   S[6][6] = d^2   (k, l < 6)
///
/// A state drawn as L z, with L the Cholesky factor of S and z seven standard normals, is that
/// distribution exactly: the output from it is stationary from its first sample.
enum PinkFilter {
    /// The sections' poles a_k.
    static let poles: [Double] = [0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616]
    /// The sections' input gains g_k (the filter subtracts section 5's: its gain is negative here).
    static let gains: [Double] = [0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980]
    /// The delayed input's gain d.
    static let delayGain = 0.115926
    /// State values: six sections and the delay.
    static let order = 7

    /// The stationary covariance S of the state (order x order).
    static var stationaryCovariance: [[Double]] {
        let g: [Double] = gains + [delayGain]
        var s = [[Double]](repeating: [Double](repeating: 0, count: order), count: order)
        for k in 0..<order {
            for l in 0..<order {
                let product: Double = g[k] * g[l]
                // the delay holds only the newest input, the one term it shares with each section
                s[k][l] = k == 6 || l == 6 ? product : product / (1 - poles[k] * poles[l])
            }
        }
        return s
    }

    /// L with L L^T = S (lower triangular, row-major rows), computed once in Double.
    static let stationaryFactor: [[Double]] = {
        let s = stationaryCovariance
        var l = [[Double]](repeating: [Double](repeating: 0, count: order), count: order)
        for i in 0..<order {
            for j in 0...i {
                var sum = s[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    precondition(sum > 0, "PinkFilter: the stationary covariance is not positive definite")
                    l[i][j] = sum.squareRoot()
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return l
    }()
}

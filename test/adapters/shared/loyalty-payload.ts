/**
 * The payload of a `wallet.coins_rewarded` event every adapter test sends: nested objects,
 * an E.164 mobile number and a non-ASCII currency symbol (`₹`, 3 bytes in UTF-8).
 */
export const LOYALTY_PAYLOAD = {
  coins: 150,
  balance: 1350,
  reason: 'order',
  customer: {
    id: 'cus_981',
    name: 'Ana Lima',
    email: 'ana@example.com',
    mobile: '+919876543210',
    tier: 'gold',
    referralCode: 'ANA150',
  },
  business: {
    name: 'Acme Coffee',
    url: 'https://acme.example',
    coinName: 'Beans',
    currency: 'INR',
    currencySymbol: '₹',
  },
}

/**
 * {@link LOYALTY_PAYLOAD} with nested keys joined by `_`, as CleverTap (`evtData`) and MoEngage
 * (`attributes`) receive it. Both flatten it alike; their rules differ only for arrays, `null`
 * and prohibited characters, which this payload does not have.
 */
export const LOYALTY_PAYLOAD_FLAT = {
  coins: 150,
  balance: 1350,
  reason: 'order',
  customer_id: 'cus_981',
  customer_name: 'Ana Lima',
  customer_email: 'ana@example.com',
  customer_mobile: '+919876543210',
  customer_tier: 'gold',
  customer_referralCode: 'ANA150',
  business_name: 'Acme Coffee',
  business_url: 'https://acme.example',
  business_coinName: 'Beans',
  business_currency: 'INR',
  business_currencySymbol: '₹',
}
